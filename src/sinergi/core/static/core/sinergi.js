// Small behaviours that templates ask for through data- attributes: the Content-Security-Policy
// allows no inline script or handler, and every page still works without this file.
"use strict";

// <select data-autosubmit>: choosing an option sends its form (a <noscript> button stands in).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && "autosubmit" in field.dataset && field.form) {
    field.form.submit();
  }
});

// <form data-path-placeholder="MONTH" data-path-field="month" action=".../MONTH/">: go to the
// action with the placeholder replaced by the field's value, instead of sending ?month=.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.pathPlaceholder) return;
  const field = form.elements.namedItem(form.dataset.pathField || "");
  if (!field || !("value" in field)) return;
  event.preventDefault();
  window.location.href = form.action.replace(
    form.dataset.pathPlaceholder,
    encodeURIComponent(field.value),
  );
});

// A table wider than a phone scrolls inside its wrapper; keyboard users can only scroll what
// can take focus, so a wrapper that actually overflows becomes focusable (WCAG 2.1.1).
function focusableScrollers(root) {
  for (const box of root.querySelectorAll(".table-wrap, [data-scroll]")) {
    if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) {
      box.tabIndex = 0;
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
    }
  }
}
document.addEventListener("DOMContentLoaded", () => focusableScrollers(document));
document.addEventListener("htmx:afterSettle", (event) => focusableScrollers(event.target));
