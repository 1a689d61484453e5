"""Each reflective model has exactly its stages, in order, with unique keys and a prompt each."""

import pytest

from cpd_log.reflections.reflective_models import (
    ALL_STAGES,
    REFLECTIVE_MODELS,
    clean_stages,
    previous_texts,
    stage_texts,
)

EXPECTED = {
    "free": ["Reflection"],
    "gibbs": ["Description", "Feelings", "Evaluation", "Analysis", "Conclusion", "Action plan"],
    "kolb": [
        "Concrete experience",
        "Reflective observation",
        "Abstract conceptualisation",
        "Active experimentation",
    ],
    "driscoll": ["What?", "So what?", "Now what?"],
    "schon": ["Reflection in action", "Reflection on action"],
    "revalidation": [
        "What was the activity?",
        "What did you learn?",
        "How did you change or improve your practice?",
        "How is it relevant to your professional standards?",
    ],
}


@pytest.mark.parametrize("key", EXPECTED)
def test_model_has_its_stages_in_order(key):
    model = REFLECTIVE_MODELS[key]
    assert [stage.label for stage in model.stages] == EXPECTED[key]
    assert all(stage.prompt.strip() for stage in model.stages)


def test_the_catalogue_is_exactly_the_six_models():
    assert set(REFLECTIVE_MODELS) == set(EXPECTED)


def test_stage_keys_are_unique_across_models():
    keys = [stage.key for model in REFLECTIVE_MODELS.values() for stage in model.stages]
    assert len(keys) == len(set(keys)) == len(ALL_STAGES)


@pytest.mark.parametrize("key", EXPECTED)
def test_stage_texts_map_each_stage_to_its_text(key):
    model = REFLECTIVE_MODELS[key]
    stages = {stage.key: f"text for {stage.label}" for stage in model.stages}
    mapped = stage_texts(key, stages)
    assert [(stage.label, text) for stage, text in mapped] == [
        (label, f"text for {label}") for label in EXPECTED[key]
    ]
    assert previous_texts(key, stages) == []


def test_texts_of_another_model_are_kept_as_previous():
    stages = {"gibbs_description": "We met", "gibbs_feelings": "Nervous", "what": "A workshop"}
    assert [text for _, text in stage_texts("driscoll", stages)] == ["A workshop", "", ""]
    previous = previous_texts("driscoll", stages)
    assert [(m.key, s.label, t) for m, s, t in previous] == [
        ("gibbs", "Description", "We met"),
        ("gibbs", "Feelings", "Nervous"),
    ]


def test_clean_stages_drops_blank_and_unknown_keys_only():
    cleaned = clean_stages({"what": "x", "so_what": "   ", "bogus": "y", "gibbs_analysis": "z"})
    assert cleaned == {"gibbs_analysis": "z", "what": "x"}
