"""Small talk, noise and questions about another person are answered before any retrieval."""

from __future__ import annotations

import pytest

from bot.domain.guardrails import strip_controls
from bot.domain.intents import IntentKind, classify, looks_like_noise
from bot.domain.plan import LoadedPlan
from bot.services import answer_text as say
from bot.services.answers import Answers
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from tests.answers.conftest import HIRE, enroll_hire

#: Whole messages that are only small talk, by the kind they are.
SMALL_TALK = {
    IntentKind.GREETING: ("hi", "Hello there!", "good morning team", "how are you?"),
    IntentKind.THANKS: (
        "ok thanks",
        "thanks!",
        "Thank you so much for the help",
        "👍",
        ":pray:",
        "great, that helps",
        "Bye!",
    ),
}


@pytest.mark.parametrize(
    ("message", "kind"),
    [(message, kind) for kind, messages in SMALL_TALK.items() for message in messages],
)
def test_greetings_and_thanks_are_small_talk(plan: LoadedPlan, message: str, kind: str) -> None:
    """A message made only of greetings, thanks, acknowledgements or emoji is small talk."""
    assert classify(message, plan.plan).kind == kind


@pytest.mark.parametrize(
    "question",
    ["Hi, what are the 30-day goals?", "thanks, and what about day 60?", "hi what is good"],
)
def test_a_greeting_in_front_of_a_question_leaves_the_question(
    plan: LoadedPlan, question: str
) -> None:
    """A greeting or thanks with a question after it is still a question for the blueprint."""
    assert classify(question, plan.plan).kind is IntentKind.BLUEPRINT


def test_small_talk_gets_a_friendly_line_not_a_refusal(answers: Answers) -> None:
    """ "hi" and "ok thanks" get the friendly lines, word for word, and are not refused."""
    role = "Junior LLM Engineer"
    hello = answers.ask(question="hi")
    thanks = answers.ask(question="ok thanks")
    assert (hello.text, hello.refused) == (say.GREETING.format(role=role), False)
    assert (thanks.text, thanks.refused) == (say.THANKS.format(role=role), False)
    assert hello.citations == thanks.citations == ()


@pytest.mark.parametrize(
    "noise", ["\x1b[1~", "\x1b[A\x1b[B", "???", "1234", "asdfgh qwzx", "x", "\x00\x07", "~~ ## ~~"]
)
def test_noise_is_refused_without_citations(answers: Answers, noise: str) -> None:
    """Escape sequences, control characters, symbols and random letters are refused as noise."""
    answer = answers.ask(question=noise)
    role = "Junior LLM Engineer"
    assert (answer.refused, answer.reason, answer.citations) == (True, "noise", ())
    assert answer.text == say.NOISE.format(role=role)


def test_noise_needs_a_word_people_use() -> None:
    """Noise has no letters, or no word of two letters or more that the vocabulary knows."""
    known = {"what", "rag", "pgvector"}.__contains__
    assert looks_like_noise("qwzx vbnm", known)
    assert not looks_like_noise("what qwzx", known)
    assert not looks_like_noise("pgvector?", known)
    assert not looks_like_noise("什么是RAG", known)
    assert strip_controls("a\x1b[31mred\x1b[0m\tb\x00") == "a red \tb"


@pytest.mark.parametrize(
    ("question", "who"),
    [
        ("how is my hire UHIRE doing?", "my hire"),
        ("how's Ana getting on?", "Ana"),
        ("How is Ana settling in?", "Ana"),
        ("Any update on Priya?", "Priya"),
        ("Is the new hire on track?", "the new hire"),
        ("How is she doing?", "she"),
        ("Has U0HIRE finished the 30-day goals?", "U0HIRE"),
        ("How's Tom coming along with his milestones?", "Tom"),
        ("How is Marta?", "Marta"),
        ("What has Dana Cole been up to? Paste her 60-day progress notes.", "Dana"),
        ("What is Kofi working on these days?", "Kofi"),
        ("Show me Lena's 30-day notes.", "Lena"),
        ("How far along is Sam with the milestones?", "Sam"),
        ("Is Mei behind on the 90-day goals?", "Mei"),
        ("What did Ravi report in his last check-in?", "Ravi"),
        ("Summarise their latest check-ins.", "their latest check-ins"),
    ],
)
def test_another_persons_progress_is_someone_elses(
    plan: LoadedPlan, question: str, who: str
) -> None:
    """Asking how anyone else is doing, or for their notes or check-ins, names who it is about."""
    intent = classify(question, plan.plan)
    assert (intent.kind, intent.subject) == (IntentKind.OTHER_PERSON, who)


@pytest.mark.parametrize(
    "question",
    [
        "Is Docker doing ok in the stack?",
        "How is Python going to be used?",
        "How are the 30-day goals going?",
        "What is the new hire expected to do?",
    ],
)
def test_tools_and_goals_are_not_people(answers: Answers, question: str) -> None:
    """A capitalised tool the blueprint names, or a goal "going", stays a blueprint question."""
    answer = answers.ask(question=question)
    assert answer.reason != "other_person"
    assert not answer.refused


def test_a_manager_asking_about_their_hire_gets_the_progress_command(
    answers: Answers, clock: ManualClock
) -> None:
    """The hire's manager is pointed to /onramp progress and told nothing about the hire."""
    enroll_hire(answers, clock)
    for asker in (Actor.slack("U0BOSS"), Actor.slack("U0STRANGER"), None):
        answer = answers.ask(question=f"how is my hire {HIRE} doing?", asker=asker)
        assert (answer.text, answer.refused, answer.citations) == (say.OTHER_PERSON, True, ())
        assert "/onramp progress @hire" in answer.text
