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
 * Confirmations: a submit button (or form) with data-confirm="…" asks before the form is sent, in an
 * in-page modal <dialog> rather than window.confirm(), whose title names the host and which ignores the
 * 适老化 modes. Focus starts on 取消 (the safe answer) and returns to the button; Esc cancels; 确定 sends
 * the form again with the same submitter. The question is a courtesy only: without the script these
 * POST forms are sent directly, and the server checks every such action on its own.
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

  function buildConfirmDialog() {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-question");
    var form = document.createElement("form");
    form.method = "dialog";
    var title = document.createElement("h2");
    title.id = "confirm-dialog-title";
    title.className = "confirm-dialog-title";
    title.textContent = "请确认";
    var question = document.createElement("p");
    question.id = "confirm-dialog-question";
    question.className = "confirm-dialog-question";
    var actions = document.createElement("div");
    actions.className = "confirm-dialog-actions";
    [
      ["cancel", "取消", "button button-secondary"],
      ["ok", "确定", "button button-primary"],
    ].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "submit";
      button.value = spec[0];
      button.textContent = spec[1];
      button.className = spec[2];
      actions.appendChild(button);
    });
    form.appendChild(title);
    form.appendChild(question);
    form.appendChild(actions);
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    return dialog;
  }

  function initConfirmations() {
    if (typeof HTMLDialogElement !== "function") {
      return; // no <dialog>: the forms post as they do without the script
    }
    var dialog = null;
    var pending = null; // {form, submitter} waiting for an answer
    var confirmed = null; // the form being sent again after 确定

    function send(form, submitter) {
      if (form.requestSubmit) {
        // requestSubmit dispatches the submit event at once: let that one through, and only that one.
        confirmed = form;
        try {
          form.requestSubmit(submitter || undefined);
        } finally {
          confirmed = null;
        }
        return;
      }
      if (submitter && submitter.name) {
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = submitter.name;
        carried.value = submitter.value;
        form.appendChild(carried);
      }
      form.submit();
    }

    function ask(question, form, submitter) {
      if (!dialog) {
        dialog = buildConfirmDialog();
        dialog.addEventListener("close", function () {
          var answer = pending;
          pending = null;
          if (!answer) {
            return;
          }
          if (dialog.returnValue === "ok") {
            send(answer.form, answer.submitter);
          } else if (answer.submitter) {
            answer.submitter.focus();
          }
        });
      }
      pending = { form: form, submitter: submitter };
      dialog.returnValue = "";
      dialog.querySelector(".confirm-dialog-question").textContent = question;
      dialog.showModal();
      dialog.querySelector('button[value="cancel"]').focus();
    }

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form === confirmed) {
        return;
      }
      var submitter = event.submitter || null;
      var source = submitter && submitter.hasAttribute("data-confirm") ? submitter : form;
      var question = source.getAttribute ? source.getAttribute("data-confirm") : null;
      if (question) {
        event.preventDefault();
        ask(question, form, submitter);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initA11y();
    initMenus();
    initConfirmations();
  });
})();

/* Portal home (issue 5): channel tabs and the 成果展 carousel — enhancements of markup that works alone.
 *
 * Tabs ([data-tabs]): without the script each tab is a link to its category list and every panel shows
 * under its own heading. Here they become ARIA tabs (WAI-ARIA Authoring Practices, automatic
 * activation): one panel shown, arrow keys / Home / End move between tabs, a click switches instead of
 * following the link.
 *
 * Carousel ([data-carousel]): without the script the slides scroll sideways (CSS scroll-snap) and the
 * numbered links jump to a slide. Here the previous/next and pause buttons appear; it advances every
 * few seconds unless the visitor prefers reduced motion, has paused it, or is pointing at or focused
 * inside it (then it waits); the slides' live region speaks only while it is not rotating.
 */
(function () {
  "use strict";

  var ROTATE_MS = 6000;

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function initTabs() {
    each(document.querySelectorAll("[data-tabs]"), function (box) {
      var tablist = box.querySelector("[data-tablist]");
      var tabs = box.querySelectorAll("[data-tab]");
      if (!tablist || !tabs.length) {
        return;
      }
      var panels = [];
      each(tabs, function (tab) {
        panels.push(document.getElementById(tab.getAttribute("data-tab")));
      });
      if (panels.indexOf(null) !== -1) {
        return;
      }

      function select(index, moveFocus) {
        each(tabs, function (tab, i) {
          var on = i === index;
          tab.setAttribute("aria-selected", on ? "true" : "false");
          tab.setAttribute("tabindex", on ? "0" : "-1");
          panels[i].hidden = !on;
        });
        if (moveFocus) {
          tabs[index].focus();
        }
      }

      tablist.setAttribute("role", "tablist");
      each(tablist.children, function (item) {
        item.setAttribute("role", "presentation");
      });
      var initial = 0;
      each(tabs, function (tab, i) {
        tab.setAttribute("role", "tab");
        tab.setAttribute("aria-controls", panels[i].id);
        panels[i].setAttribute("role", "tabpanel");
        panels[i].setAttribute("aria-labelledby", tab.id);
        panels[i].setAttribute("tabindex", "0");
        if (tab.hasAttribute("data-tab-selected")) {
          initial = i;
        }
        tab.addEventListener("click", function (event) {
          event.preventDefault();
          select(i, true);
        });
        tab.addEventListener("keydown", function (event) {
          var last = tabs.length - 1;
          var target = null;
          if (event.key === "ArrowRight" || event.key === "ArrowDown") {
            target = i === last ? 0 : i + 1;
          } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
            target = i === 0 ? last : i - 1;
          } else if (event.key === "Home") {
            target = 0;
          } else if (event.key === "End") {
            target = last;
          }
          if (target !== null) {
            event.preventDefault();
            select(target, true);
          }
        });
      });
      box.classList.add("is-tabbed");
      select(initial, false);
    });
  }

  function initCarousel(root) {
    var track = root.querySelector("[data-carousel-track]");
    var slides = track ? track.querySelectorAll("[data-carousel-slide]") : [];
    var controls = root.querySelector("[data-carousel-controls]");
    if (slides.length < 2 || !controls) {
      return;
    }
    var toggle = root.querySelector("[data-carousel-toggle]");
    var dots = root.querySelectorAll("[data-carousel-dot]");
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var playing = !reduceMotion;
    var pointerInside = false;
    var focusInside = false;

    function current() {
      var best = 0;
      var distance = Infinity;
      each(slides, function (slide, i) {
        var d = Math.abs(slide.offsetLeft - track.scrollLeft);
        if (d < distance) {
          distance = d;
          best = i;
        }
      });
      return best;
    }

    function mark(index) {
      each(dots, function (dot, i) {
        if (i === index) {
          dot.setAttribute("aria-current", "true");
        } else {
          dot.removeAttribute("aria-current");
        }
      });
    }

    function go(index) {
      var n = slides.length;
      index = ((index % n) + n) % n;
      track.scrollTo({ left: slides[index].offsetLeft, behavior: reduceMotion ? "auto" : "smooth" });
      mark(index);
    }

    function showState() {
      toggle.textContent = toggle.getAttribute(playing ? "data-label-pause" : "data-label-play");
      track.setAttribute("aria-live", playing ? "off" : "polite");
    }

    controls.hidden = false;
    showState();
    root.querySelector("[data-carousel-prev]").addEventListener("click", function () {
      go(current() - 1);
    });
    root.querySelector("[data-carousel-next]").addEventListener("click", function () {
      go(current() + 1);
    });
    toggle.addEventListener("click", function () {
      playing = !playing;
      showState();
    });
    each(dots, function (dot, i) {
      dot.addEventListener("click", function (event) {
        event.preventDefault(); // scroll the row only, not the page
        go(i);
      });
    });
    var settle = null;
    track.addEventListener("scroll", function () {
      window.clearTimeout(settle);
      settle = window.setTimeout(function () {
        mark(current());
      }, 100);
    });
    root.addEventListener("mouseenter", function () {
      pointerInside = true;
    });
    root.addEventListener("mouseleave", function () {
      pointerInside = false;
    });
    root.addEventListener("focusin", function () {
      focusInside = true;
    });
    root.addEventListener("focusout", function (event) {
      focusInside = root.contains(event.relatedTarget);
    });
    window.setInterval(function () {
      if (playing && !pointerInside && !focusInside && !document.hidden) {
        go(current() + 1);
      }
    }, ROTATE_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    initTabs();
    each(document.querySelectorAll("[data-carousel]"), initCarousel);
  });
})();
