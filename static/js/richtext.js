/* sujt — the rich-text editor, fetched late: only on a page that shows a rich-text field, and only once
 * that page has loaded. Until then, and without JavaScript, the field is a plain <textarea> whose text is
 * submitted as is (the server sanitises every rich-text body).
 *
 * The widget (sujt.core.richtext.RichTextWidget) marks its textarea with data-editor-scripts (the
 * django-ckeditor-5 bundle and its translation, in order) and data-editor-styles. After the `load` event
 * this script adds those to the page. The bundle starts its editors from a DOMContentLoaded listener,
 * and DOMContentLoaded has fired long before: the listener is held back while the bundle runs and
 * called once every script and style is in. Text typed into the textarea meanwhile becomes the editor's
 * content, and a textarea that had the focus hands it to its editor. If anything fails to load the
 * textarea simply stays.
 */
(function () {
  "use strict";

  function words(element, name) {
    return (element.getAttribute(name) || "").split(" ").filter(Boolean);
  }

  function start() {
    var field = document.querySelector("textarea[data-editor-scripts]");
    if (!field || window.ClassicEditor) {
      return;
    }
    var styles = words(field, "data-editor-styles");
    var scripts = words(field, "data-editor-scripts");
    var pending = styles.length + scripts.length;
    var failed = false;
    var heldBack = [];

    // Own property over the prototype's method, removed again when the scripts are in.
    document.addEventListener = function (type, listener, options) {
      if (type === "DOMContentLoaded") {
        heldBack.push(listener);
        return;
      }
      EventTarget.prototype.addEventListener.call(document, type, listener, options);
    };

    function startEditors() {
      var focused = document.activeElement;
      if (focused && focused.matches("textarea[data-editor-scripts]") && window.ckeditorRegisterCallback) {
        window.ckeditorRegisterCallback(focused.id, function (editor) {
          editor.editing.view.focus();
        });
      }
      heldBack.forEach(function (listener) {
        listener.call(document, new Event("DOMContentLoaded"));
      });
    }

    function done(event) {
      failed = failed || event.type === "error";
      pending -= 1;
      if (pending > 0) {
        return;
      }
      delete document.addEventListener;
      if (!failed) {
        startEditors();
      }
    }

    styles.forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.addEventListener("load", done);
      link.addEventListener("error", done);
      document.head.appendChild(link);
    });
    scripts.forEach(function (src) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false; // run in the given order: the bundle, then its translation
      script.addEventListener("load", done);
      script.addEventListener("error", done);
      document.head.appendChild(script);
    });
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
