"""The reflective models a practitioner can write in, and our own short prompt for each stage.

Pure data, no Flask: a reflection stores its stage texts under the stage keys below, and every key
is unique across all models, so a text written under one model is never mistaken for another's.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    prompt: str


@dataclass(frozen=True)
class ReflectiveModel:
    key: str
    name: str
    summary: str
    stages: tuple[Stage, ...]

    @property
    def stage_keys(self) -> tuple[str, ...]:
        return tuple(stage.key for stage in self.stages)


FREE = ReflectiveModel(
    "free",
    "Free text",
    "Write in your own way.",
    (
        Stage(
            "text", "Reflection", "What happened, what you made of it, and what you will do next."
        ),
    ),
)

GIBBS = ReflectiveModel(
    "gibbs",
    "Gibbs' reflective cycle",
    "Six stages from what happened to what you would do next time.",
    (
        Stage("gibbs_description", "Description", "What happened? Who was there, what did you do?"),
        Stage("gibbs_feelings", "Feelings", "What were you thinking and feeling at the time?"),
        Stage("gibbs_evaluation", "Evaluation", "What went well, and what did not?"),
        Stage("gibbs_analysis", "Analysis", "Why did it go that way? What helps to explain it?"),
        Stage(
            "gibbs_conclusion", "Conclusion", "What did you learn; what else could you have done?"
        ),
        Stage("gibbs_action_plan", "Action plan", "What will you do differently next time?"),
    ),
)

KOLB = ReflectiveModel(
    "kolb",
    "Kolb's learning cycle",
    "From an experience, through reflection and ideas, to trying something new.",
    (
        Stage("kolb_experience", "Concrete experience", "What did you do or take part in?"),
        Stage("kolb_observation", "Reflective observation", "Looking back, what did you notice?"),
        Stage(
            "kolb_conceptualisation",
            "Abstract conceptualisation",
            "What general idea or principle do you draw from it?",
        ),
        Stage(
            "kolb_experimentation",
            "Active experimentation",
            "How will you try that idea out in your work?",
        ),
    ),
)

DRISCOLL = ReflectiveModel(
    "driscoll",
    "Driscoll / Rolfe: What? So what? Now what?",
    "Three questions: the event, its meaning, your next step.",
    (
        Stage("what", "What?", "What happened, or what did you learn?"),
        Stage("so_what", "So what?", "Why does it matter to you and to your practice?"),
        Stage("now_what", "Now what?", "What will you do as a result?"),
    ),
)

SCHON = ReflectiveModel(
    "schon",
    "Schön: reflection in and on action",
    "Thinking on your feet during the work, and looking back on it afterwards.",
    (
        Stage(
            "schon_in_action",
            "Reflection in action",
            "While it was happening, what did you notice and adjust?",
        ),
        Stage(
            "schon_on_action",
            "Reflection on action",
            "Afterwards, what do you make of it and what would you change?",
        ),
    ),
)

REVALIDATION = ReflectiveModel(
    "revalidation",
    "Revalidation: four questions",
    "The four questions of a professional revalidation reflective account.",
    (
        Stage("rv_activity", "What was the activity?", "Name and describe the learning activity."),
        Stage("rv_learning", "What did you learn?", "The main things you took from it."),
        Stage(
            "rv_practice",
            "How did you change or improve your practice?",
            "What you now do differently, or plan to, as a result.",
        ),
        Stage(
            "rv_standards",
            "How is it relevant to your professional standards?",
            "Link it to the standards or code of conduct you work to.",
        ),
    ),
)

REFLECTIVE_MODELS: dict[str, ReflectiveModel] = {
    m.key: m for m in (FREE, GIBBS, KOLB, DRISCOLL, SCHON, REVALIDATION)
}
ALL_STAGES: dict[str, tuple[ReflectiveModel, Stage]] = {
    stage.key: (model, stage) for model in REFLECTIVE_MODELS.values() for stage in model.stages
}


def stage_texts(model_key: str, stages: dict[str, str]) -> list[tuple[Stage, str]]:
    """The model's stages in order, each with its text ("" when not written)."""
    return [(stage, stages.get(stage.key, "")) for stage in REFLECTIVE_MODELS[model_key].stages]


def previous_texts(
    model_key: str, stages: dict[str, str]
) -> list[tuple[ReflectiveModel, Stage, str]]:
    """Texts written under another model's stages: kept, shown apart, never silently dropped."""
    own = set(REFLECTIVE_MODELS[model_key].stage_keys)
    return [
        (*ALL_STAGES[key], text)
        for key, text in stages.items()
        if key not in own and key in ALL_STAGES and text
    ]


def clean_stages(submitted: dict[str, str]) -> dict[str, str]:
    """Known stage keys with non-empty text, in catalogue order; whitespace-only counts as empty."""
    return {
        key: submitted[key]
        for key in ALL_STAGES
        if key in submitted and submitted[key] and submitted[key].strip()
    }
