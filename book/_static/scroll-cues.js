// Mark every box that scrolls sideways (class "scrolls", styled in course.css)
// so that a reader sees that part of an equation, an output or a table is out
// of view: touch screens and macOS show no scrollbar until one scrolls.
(() => {
  "use strict";
  const SELECTOR = [
    "div.math mjx-container",            // display equations (the theme lets them scroll)
    "span.math",                         // inline formulas (course.css lets them scroll)
    "div.cell_output pre", "div.output pre",
    "div.cell_input pre", "div.highlight pre",  // code scrolls on a phone (it wraps on wider screens)
    ".pst-scrollable-table-container",
  ].join(", ");

  // The colour behind an element: the first ancestor (or itself) with an opaque-ish background.
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      const alpha = /rgba\([^)]*,\s*([\d.]+)\)/.exec(colour);
      if (colour !== "transparent" && !(alpha && parseFloat(alpha[1]) < 0.5)) return colour;
    }
    return getComputedStyle(document.body).backgroundColor;
  };

  const mark = () => {
    for (const el of document.querySelectorAll(`.bd-article :is(${SELECTOR})`)) {
      el.classList.remove("scrolls");
      el.style.removeProperty("--scroll-bg");
      if (el.scrollWidth > el.clientWidth + 1) {
        el.style.setProperty("--scroll-bg", background(el));
        el.classList.add("scrolls");
        if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");  // scrollable by keyboard
      }
    }
  };

  let pending = null;
  const schedule = () => {
    if (pending === null) pending = requestAnimationFrame(() => { pending = null; mark(); });
  };
  const start = () => {
    // MathJax loads asynchronously; by the load event it exists and knows when it has typeset.
    const typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
    (typeset || Promise.resolve()).then(schedule);
    window.addEventListener("resize", schedule);
    // The colour scheme changes the backgrounds: re-read them.
    new MutationObserver(schedule).observe(document.documentElement,
                                           {attributes: true, attributeFilter: ["data-theme"]});
  };
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
