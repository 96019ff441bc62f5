// Search results quote a snippet of each page. Sphinx takes it from the
// page's HTML, where equations are still TeX source ("\(\frac{\partial L}{...}\)");
// here they become readable text ("∂L/∂z") before the snippet is cut.
(() => {
  "use strict";
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;

  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ",
    eta: "η", theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π",
    rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω",
    Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Pi: "Π", Sigma: "Σ", Phi: "Φ", Omega: "Ω",
    sum: "Σ", prod: "Π", partial: "∂", nabla: "∇", infty: "∞", cdot: "·", times: "×",
    odot: "⊙", oplus: "⊕", pm: "±", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠",
    approx: "≈", sim: "~", propto: "∝", equiv: "≡", to: "→", rightarrow: "→", leftarrow: "←",
    Rightarrow: "⇒", Leftrightarrow: "⇔", mapsto: "↦", in: "∈", notin: "∉", subset: "⊂",
    forall: "∀", exists: "∃", sqrt: "√", ldots: "…", cdots: "⋯", dots: "…", top: "ᵀ",
    log: "log", exp: "exp", max: "max", min: "min", tanh: "tanh", lim: "lim",
    mid: "|", lvert: "|", rvert: "|", lVert: "‖", rVert: "‖", Vert: "‖", langle: "⟨", rangle: "⟩",
  };

  const SPACED = new Set(["cdot", "times", "odot", "oplus", "pm", "le", "leq", "ge", "geq", "ne", "neq",
                          "approx", "sim", "propto", "equiv", "to", "rightarrow", "leftarrow", "Rightarrow",
                          "Leftrightarrow", "mapsto", "in", "notin", "subset", "mid"]);

  // A readable approximation of a TeX formula: symbols as Unicode, fractions as a/b, no markup.
  const texToText = (tex) => {
    let s = tex.trim().replace(/^\\[([]|\\[\])]$/g, "");
    s = s.replace(/\\(begin|end)\{[^}]*\}/g, " ");
    for (let i = 0; i < 5 && /\\[dt]?frac\s*\{/.test(s); i++) {  // innermost fractions first
      s = s.replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "$1/$2");
    }
    s = s.replace(/\\(?:text|mathrm|mathbf|mathit|mathcal|operatorname|boldsymbol|mathsf|textbf)\s*\{([^{}]*)\}/g, "$1");
    s = s.replace(/\\(?:left|right|big|Big|bigg|Bigg)\b\s*\\?/g, "");
    // TeX ignores the spaces after a command; relations and operators get one on each side.
    s = s.replace(/\\([A-Za-z]+)\s*/g, (match, name) => {
      const symbol = name in SYMBOLS ? SYMBOLS[name] : "";
      return SPACED.has(name) ? ` ${symbol} ` : symbol;
    });
    s = s.replace(/\\[,;:! ]|~|&|\\\\/g, " ").replace(/\\([{}|%#_$])/g, "$1");
    s = s.replace(/[{}]/g, "").replace(/\s*([=<>])\s*/g, " $1 ").replace(/\s+/g, " ").trim();
    return s;
  };

  const htmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    for (const el of doc.querySelectorAll(".math")) {
      el.querySelectorAll(".eqno").forEach((n) => n.remove());
      el.textContent = ` ${texToText(el.textContent)} `;
    }
    const html = doc.documentElement.outerHTML;
    // An index entry's anchor is an empty element: Sphinx 7.4 then has no snippet and
    // fails on the result (appendChild(null)); quote the page instead.
    const text = htmlToText(html, anchor);
    return text.trim() || !anchor ? text : htmlToText(html, "");
  };
  window.courseTexToText = texToText;  // for the browser tests
})();
