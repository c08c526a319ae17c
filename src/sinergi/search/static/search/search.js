// The search box in the header (search/box.html). Without this file it is a plain GET form.
// With it: suggestions follow typing (htmx asks /cari/saran/, debounced, from 2 characters),
// the arrow keys move through them and Enter opens one (the ARIA combobox pattern), Escape
// closes them; and a NIK or KK number is never put in an address: a query with 11 digits or
// more is not suggested and is sent by POST to the number search instead.
"use strict";

(() => {
  const NUMBER_DIGITS = 11; // more digits than any region code: a NIK or KK, whole or in part
  const MIN_LENGTH = 2;

  const digits = (text) => (text.match(/\d/g) || []).length;
  const isNumber = (text) => digits(text) >= NUMBER_DIGITS && !/[^\d\s.\-/]/.test(text.trim());

  function parts(form) {
    return {
      input: form.querySelector("input[type=search]"),
      list: form.querySelector("[role=listbox]"),
    };
  }

  function close(form) {
    const { input, list } = parts(form);
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function options(list) {
    return Array.from(list.querySelectorAll("[role=option]"));
  }

  function activate(form, step) {
    const { input, list } = parts(form);
    const all = options(list);
    if (list.hidden || !all.length) return false;
    const now = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
    const next = now < 0 ? (step > 0 ? 0 : all.length - 1) : (now + step + all.length) % all.length;
    all.forEach((o, i) => o.setAttribute("aria-selected", i === next ? "true" : "false"));
    input.setAttribute("aria-activedescendant", all[next].id);
    all[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  // No request for fewer than 2 characters, nor for anything that looks like a number.
  document.addEventListener("htmx:configRequest", (event) => {
    const input = event.detail.elt;
    const form = input && input.closest && input.closest("form[data-site-search]");
    if (!form) return;
    const text = input.value.trim();
    if (text.length < MIN_LENGTH || isNumber(text)) {
      event.preventDefault();
      close(form);
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const form = event.target.closest && event.target.closest("form[data-site-search]");
    if (!form) return;
    const { input, list } = parts(form);
    const filled = list.textContent.trim() !== "";
    list.hidden = !filled || document.activeElement !== input;
    input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    input.removeAttribute("aria-activedescendant");
  });

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    const form = input.closest("form[data-site-search]");
    if (!form) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (activate(form, event.key === "ArrowDown" ? 1 : -1)) event.preventDefault();
    } else if (event.key === "Escape") {
      close(form);
    } else if (event.key === "Enter") {
      const id = input.getAttribute("aria-activedescendant");
      const chosen = id && document.getElementById(id);
      if (chosen && chosen.href) {
        event.preventDefault();
        window.location.href = chosen.href;
      }
    }
  });

  // Leaving the box (not into its own suggestions) closes them.
  document.addEventListener("focusout", (event) => {
    const form = event.target.closest && event.target.closest("form[data-site-search]");
    if (form && !form.contains(event.relatedTarget)) close(form);
  });

  // A NIK or KK goes in the body of a POST to the number search, never into the address.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !("siteSearch" in form.dataset)) return;
    const { input } = parts(form);
    if (!isNumber(input.value)) return;
    form.method = "post";
    form.action = form.dataset.numberUrl;
    input.name = "number";
    input.removeAttribute("hx-get");
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = form.dataset.csrf;
    form.appendChild(token);
  });
})();
