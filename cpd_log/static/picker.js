// The searchable picker (issue 14, Deliver 1): Tom Select over every <select data-picker>, as
// progressive enhancement: without JavaScript the native multi-select posts the same field.
// A competency picker lists first the competencies suggested for the title being typed (its
// words against competency names, and against the user's past titles on the server) and
// the user's recent ones, then every framework's groups; typing filters by code or name.
(() => {
  "use strict";
  const SUGGESTED = "__suggested";
  const RECENT = "__recent";
  const MAX_SUGGESTED = 6;

  // Options ("CODE Name") with a word that starts with one of the title's stems (made by
  // cpd_log/competencies/picker.py, which leaves common words out).
  const namedInTitle = (picker, stems) => {
    if (!stems.length) return [];
    const matches = (name) =>
      (name.toLowerCase().match(/\p{L}{4,}/gu) || []).some((word) =>
        stems.some((stem) => word.startsWith(stem)),
      );
    return Object.values(picker.options)
      .filter((option) => matches(option.text.replace(/^\S+\s+/, "")))
      .map((option) => option.value);
  };

  // Put the suggested and recent options in their groups too (an option may sit in several).
  const regroup = (picker, suggested, recent) => {
    const known = (ids) => ids.map(String).filter((id) => id in picker.options);
    const inSuggested = new Set(known(suggested).slice(0, MAX_SUGGESTED));
    const inRecent = new Set(known(recent));
    for (const option of Object.values(picker.options)) {
      if (option.home === undefined) option.home = option.optgroup || "";
      const groups = [];
      if (inSuggested.has(option.value)) groups.push(SUGGESTED);
      if (inRecent.has(option.value)) groups.push(RECENT);
      option.optgroup = groups.length ? [...groups, option.home] : option.home;
    }
    picker.clearCache();
    if (picker.isOpen) picker.refreshOptions(false);
  };

  const hintsFor = (picker, select) => {
    const url = select.dataset.hintsUrl;
    const title = select.form && select.form.querySelector('[name="title"]');
    if (!url) return;
    let hints = { recent: [], suggested: [], stems: [] };
    let timer = null;
    const apply = () => {
      const suggested = [...(hints.suggested || []), ...namedInTitle(picker, hints.stems || [])];
      regroup(picker, [...new Set(suggested.map(String))], hints.recent || []);
    };
    const load = () => {
      const query = new URLSearchParams({ title: title ? title.value : "" });
      fetch(`${url}?${query}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : hints))
        .then((data) => {
          hints = data;
          apply();
        })
        .catch(() => apply());
    };
    load();
    if (title) {
      title.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(load, 300);
      });
    }
  };

  const enhance = (select) => {
    const picker = new TomSelect(select, {
      plugins: { remove_button: { title: "Remove" } },
      maxOptions: null,
      lockOptgroupOrder: true,
      searchField: ["text"],
      placeholder: select.dataset.picker === "competencies" ? "Type a code or a name" : "Type to search",
      onItemAdd() {
        this.setTextboxValue("");
        this.refreshOptions(false);
      },
    });
    // Tom Select points the label at its own box; the native select it keeps (visually hidden,
    // out of the tab order) stays named by the same label (axe "select-name").
    const labelledBy = picker.focus_node.getAttribute("aria-labelledby");
    if (labelledBy) select.setAttribute("aria-labelledby", labelledBy);
    picker.addOptionGroup(SUGGESTED, { label: "Suggested for this title", $order: -2 });
    picker.addOptionGroup(RECENT, { label: "Recently used", $order: -1 });
    hintsFor(picker, select);
    // "Hold Ctrl" is about the native list box, which is gone now.
    const form = select.form || document;
    form.querySelectorAll(".keyboard-hint").forEach((hint) => hint.remove());
    const help = document.getElementById(`${select.id}-help`);
    if (help && /Hold Ctrl/.test(help.textContent)) {
      const rest = help.textContent.replace(/Hold Ctrl[^;.]*[;.]\s*/, "");
      help.textContent = rest.charAt(0).toUpperCase() + rest.slice(1);
    }
  };

  if (typeof TomSelect === "function") {
    document.querySelectorAll("select[data-picker]").forEach(enhance);
  }
})();
