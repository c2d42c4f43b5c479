/* Django admin: accessible names and roles that its own scripts leave out
   (WCAG 2.2 AA, tests/browser/test_admin_accessibility.py). Loaded deferred by
   templates/admin/base_site.html, so this runs after the admin's scripts have
   built their widgets; a MutationObserver repeats it when they redraw (Select2
   redraws a selection's chips, an inline gains a row). */
(function () {
  "use strict";

  function labelText(select) {
    // A tabular inline's field carries its column name as aria-label
    // (localities.admin.LabelledTabularInline); other fields have a <label>.
    if (select.getAttribute("aria-label")) {
      return select.getAttribute("aria-label");
    }
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
  }

  function fix(root) {
    // SelectFilter2's search icons carry aria-label without a role, which ARIA
    // does not allow on a plain span: they are images of a magnifying glass.
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    // Select2 (autocomplete fields) gives its combobox, its read-only text and
    // its search box no name of their own.
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) {
        return;
      }
      var name = labelText(select);
      container
        .querySelectorAll(".select2-selection, .select2-selection__rendered[role], .select2-search__field")
        .forEach(function (part) {
          if (part.getAttribute("aria-label") !== name) {
            part.setAttribute("aria-label", name);
          }
        });
      // Its "clear" cross sits in the list of chosen items, where only items
      // may be; the keyboard clears with Backspace, so it is for the mouse only.
      container.querySelectorAll(".select2-selection__clear:not([aria-hidden])").forEach(function (cross) {
        cross.setAttribute("aria-hidden", "true");
      });
    });
  }

  window.addEventListener("load", function () {
    fix(document);
    new MutationObserver(function () {
      fix(document);
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
