/* sujt — progressive enhancements only; every page works without this script.
 *
 * 适老化 toggle: the large-font and high-contrast buttons switch classes on <html> in place and keep
 * the choice both in localStorage and in the `sujt_a11y` cookie, which the server reads to render the
 * right classes from the first byte (no flash). When the cookie has gone (cleared, expired) but
 * localStorage still holds a choice, the choice is restored. Without the script the buttons post to
 * the server, which sets the same cookie.
 *
 * Menus (<details class="menu">) close on Escape or on a click elsewhere.
 *
 * Confirmations: a submit button (or form) with data-confirm="…" asks before the form is sent.
 */
(function () {
  "use strict";

  var COOKIE = "sujt_a11y";
  var OPTIONS = ["large", "contrast"];
  var MAX_AGE = 365 * 24 * 3600;

  function readCookie() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === COOKIE) {
        return decodeURIComponent(parts[i].slice(eq + 1));
      }
    }
    return null;
  }

  function writeCookie(value) {
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + encodeURIComponent(value) + "; Max-Age=" + MAX_AGE + "; Path=/; SameSite=Lax" + secure;
  }

  function readStored() {
    try {
      return window.localStorage.getItem(COOKIE);
    } catch (e) {
      return null;
    }
  }

  function writeStored(value) {
    try {
      window.localStorage.setItem(COOKIE, value);
    } catch (e) {
      /* storage disabled: the cookie still carries the choice */
    }
  }

  function parse(value) {
    var tokens = (value || "").split(".");
    var state = {};
    OPTIONS.forEach(function (option) {
      state[option] = tokens.indexOf(option) !== -1;
    });
    return state;
  }

  function serialise(state) {
    return OPTIONS.filter(function (option) {
      return state[option];
    }).join(".");
  }

  function apply(state) {
    var root = document.documentElement;
    OPTIONS.forEach(function (option) {
      root.classList.toggle("a11y-" + option, state[option]);
      var buttons = document.querySelectorAll('[data-a11y-option="' + option + '"]');
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].setAttribute("aria-pressed", state[option] ? "true" : "false");
      }
    });
  }

  function save(state) {
    var value = serialise(state);
    writeCookie(value);
    writeStored(value);
  }

  function initA11y() {
    var cookie = readCookie();
    var stored = readStored();
    if (cookie === null && stored !== null) {
      var restored = parse(stored);
      apply(restored);
      save(restored);
    } else if (cookie !== null && cookie !== stored) {
      writeStored(cookie);
    }

    var buttons = document.querySelectorAll("[data-a11y-option]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        event.preventDefault();
        var option = this.getAttribute("data-a11y-option");
        var state = parse(readCookie() !== null ? readCookie() : readStored());
        state[option] = !state[option];
        apply(state);
        save(state);
      });
    }
  }

  function initMenus() {
    var menus = document.querySelectorAll("details.menu");
    if (!menus.length) {
      return;
    }
    function closeAll(except) {
      for (var i = 0; i < menus.length; i++) {
        if (menus[i] !== except) {
          menus[i].removeAttribute("open");
        }
      }
    }
    document.addEventListener("click", function (event) {
      var inside = event.target.closest ? event.target.closest("details.menu") : null;
      closeAll(inside);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        for (var i = 0; i < menus.length; i++) {
          if (menus[i].hasAttribute("open")) {
            menus[i].removeAttribute("open");
            menus[i].querySelector("summary").focus();
          }
        }
      }
    });
  }

  function initConfirmations() {
    document.addEventListener("submit", function (event) {
      var source = event.submitter && event.submitter.hasAttribute("data-confirm") ? event.submitter : event.target;
      var question = source.getAttribute ? source.getAttribute("data-confirm") : null;
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initA11y();
    initMenus();
    initConfirmations();
  });
})();
