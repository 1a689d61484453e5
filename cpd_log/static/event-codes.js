// A calendar event's own competencies box (imports/calendar.html) takes several codes separated
// by ";", but a <datalist> suggests for the whole value: while one is typed into, every suggestion
// is rewritten to what is already there plus one code, so "GOV.1; RE" is offered "GOV.1; REP.1".
// Without this script the list still suggests the first code.
(function () {
  "use strict";
  const list = document.getElementById("competency-codes");
  if (!list) return;
  const options = Array.from(list.options);
  const codes = options.map((option) => option.value);

  function offer(box) {
    const cut = box.value.lastIndexOf(";");
    const before = cut < 0 ? "" : `${box.value.slice(0, cut + 1).trimEnd()} `;
    options.forEach((option, index) => {
      option.value = before + codes[index];
    });
  }

  for (const box of document.querySelectorAll('input[list="competency-codes"]')) {
    box.addEventListener("focus", () => offer(box));
    box.addEventListener("input", () => offer(box));
  }
})();
