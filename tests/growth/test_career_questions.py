"""Career questions in /onramp ask: promotion, rubric dimensions, next roles — in both backends.

The answers quote the plan's growth half, cited, and add only the asker's own ratings and
evidence, read through the growth service. Claude runs against the loopback fake Messages API.
"""

from __future__ import annotations

import json

import pytest

from bot.app import SlackRuntime
from bot.domain.plan import LoadedPlan
from bot.llm.fake_api import FakeMessagesAPI, Scripted, message, tool_use_message
from bot.sandbox import SlackDriver, SlackSandbox
from bot.services.answers import AnswerPolicy, Answers
from bot.services.answers.career import CareerTopic, career_question
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.growth import GrowthService
from bot.services.onboarding import Actor, Onboarding
from storage.engine import Database
from tests.answers.conftest import HIRE, PLAN_ID, enroll_hire, make_answers
from tests.slack.conftest import HIRE as SLACK_HIRE
from tests.slack.conftest import MANAGER as SLACK_MANAGER
from tests.support import claude as claude_support
from tests.support.claude import claude_model
from tests.support.enroll import enroll
from tests.support.growth_rounds import growth_rig, ratings
from tests.support.people import HIRE as RATED
from tests.support.people import MANAGER

#: The loopback Messages API fixture, offered to this module's Claude tests.
fake_api = claude_support.fake_api
OTHER = "U0OTHER"
PROMOTION_FACTS = (
    "Can design and implement a complete LLM workflow with minimal supervision",
    "RAG + tool calling + eval + monitoring",
    "Demonstrates strong debugging ability and operational judgment.",
    "Shows measurable product impact tied to metrics (quality, latency, cost).",
    "Communicates tradeoffs clearly to PMs and partner teams.",
)


@pytest.fixture
def plan(catalog: PlanCatalog) -> LoadedPlan:
    """The Junior LLM Engineer plan, whose growth half the questions are about."""
    return catalog.get(PLAN_ID)


@pytest.fixture
def answers(db: Database, catalog: PlanCatalog, clock: ManualClock) -> Answers:
    """The offline answer service over a fresh database."""
    return make_answers(db, catalog, clock)


def growth_of(answers: Answers) -> GrowthService:
    """The growth service over the answer service's database."""
    return GrowthService(
        db=answers.db, catalog=answers.catalog, clock=answers.clock, admins=frozenset()
    )


def win(answers: Answers, hire: str, *tags: str, visibility: str = "manager") -> None:
    """``hire`` records a win tagged ``tags``."""
    growth_of(answers).add_evidence(
        actor=Actor.slack(hire), hire=hire, text="Shipped a thing", tags=tags, visibility=visibility
    )


@pytest.mark.parametrize(
    ("question", "topic", "named"),
    [
        ("What do I need for a promotion?", CareerTopic.PROMOTION, None),
        ("How do I get promoted to mid-level?", CareerTopic.PROMOTION, None),
        ("What would it take to move up to mid level?", CareerTopic.PROMOTION, None),
        ("Am I ready for promotion?", CareerTopic.PROMOTION, None),
        ("How am I doing on evaluation mindset?", CareerTopic.DIMENSION, "evaluation-mindset"),
        ("how's my eval mindset", CareerTopic.DIMENSION, "evaluation-mindset"),
        ("How am I doing on communication?", CareerTopic.DIMENSION, "communication"),
        ("Where do I stand on debugging?", CareerTopic.DIMENSION, "debugging-triage"),
        (
            "What does excellent look like for collaboration?",
            CareerTopic.DIMENSION,
            "collaboration",
        ),
        ("How good am I at RAG?", CareerTopic.DIMENSION, "rag-basics"),
        ("How does my manager rate my eval mindset?", CareerTopic.DIMENSION, "evaluation-mindset"),
        ("What's the next step in my career?", CareerTopic.PATHS, None),
        ("What is the rubric I'm assessed against?", CareerTopic.STANDING, None),
        ("How am I doing on my growth?", CareerTopic.STANDING, None),
        ("Where can this role lead in terms of career?", CareerTopic.PATHS, None),
        ("What roles could I move into next?", CareerTopic.PATHS, None),
        ("What are the adjacent career paths?", CareerTopic.PATHS, None),
        ("Where do people in my seat usually go after a few years?", CareerTopic.PATHS, None),
    ],
)
def test_career_questions_are_recognised_in_paraphrase(
    plan: LoadedPlan, question: str, topic: CareerTopic, named: str | None
) -> None:
    """Promotion, dimension (named loosely), standing and path questions are told apart."""
    found = career_question(question, plan.plan.growth)
    assert found is not None
    assert found.topic is topic
    entry = found.dimension or found.skill
    assert (entry.id if entry else None) == named


@pytest.mark.parametrize(
    "question",
    [
        "What are the 60-day goals?",
        "How does the job change after eighteen months?",
        "How am I doing on my day-30 milestones?",
        "How am I doing?",
        "What tools will I use for evaluation?",
        "Which advanced skills could I grow into later?",
        "What does a mid-level LLM engineer do?",
        "What does a safe rollout look like?",
        "What's the refusal rate for safety?",
        "How can I improve the latency of the eval pipeline?",
    ],
)
def test_other_questions_are_not_career_questions(plan: LoadedPlan, question: str) -> None:
    """Goals, the plan's milestones and role questions that merely share a word with a dimension
    ("safe", "eval", "level", "rate") stay with the usual answers."""
    assert career_question(question, plan.plan.growth) is None


def test_extractive_promotion_answer_lists_every_criterion_cited(answers: Answers) -> None:
    """The offline promotion answer quotes all four §15 criteria, the first with its sub-bullet,
    each cited to its passage."""
    answer = answers.ask(question="What do I need for a promotion?")
    for fact in PROMOTION_FACTS:
        assert fact in answer.text
    assert not answer.refused
    assert answer.backend == "extractive"
    assert [c.id for c in answer.citations] == ["s15.skills-needed-for-promotion"] * 4
    assert answer.text.count("(§15 Career Path and Progression › Skills needed for promotion") == 4


def test_dimension_answer_gives_anchors_and_the_askers_own_standing(
    answers: Answers, clock: ManualClock
) -> None:
    """A hire asking about a dimension gets its three anchors, cited to §19, no ratings yet, and
    the count of their own evidence (private included); the answer is personal."""
    enroll_hire(answers, clock)
    win(answers, HIRE, "evaluation-mindset")
    win(answers, HIRE, "evaluation-mindset", visibility="private")
    answer = answers.ask(question="How am I doing on eval mindset?", asker=Actor.slack(HIRE))
    assert (
        "• Evaluation mindset — excellent: Proposes baselines, rubrics, regression tests · "
        "acceptable: Some testing ideas but incomplete · below bar: No measurable validation "
        "approach (§19 Hiring Evaluation Criteria › Scorecard dimensions (for interview panels))"
    ) in answer.text.splitlines()
    assert "Evaluation mindset — ratings: none yet; evidence: 2 pieces" in answer.text
    assert [c.id for c in answer.citations] == ["s19.scorecard-dimensions"]
    assert answer.personal


def test_promotion_answer_counts_own_evidence_per_criterion(
    answers: Answers, clock: ManualClock
) -> None:
    """A hire asking about promotion sees every criterion and their evidence against each."""
    enroll_hire(answers, clock)
    win(answers, HIRE, "measurable-impact")
    answer = answers.ask(question="Am I ready for a promotion?", asker=Actor.slack(HIRE))
    for fact in PROMOTION_FACTS:
        assert fact in answer.text
    assert "• Measurable product impact tied to metrics — evidence: 1 piece" in answer.text
    assert "• Strong debugging ability and operational judgment — evidence: 0 pieces" in answer.text
    assert "No verdict here" in answer.text


def test_career_answers_never_show_anyone_elses_record(
    db: Database, catalog: PlanCatalog, clock: ManualClock
) -> None:
    """Another hire with evidence asks the same question: each sees only their own count, the
    first answer is never served from the cache to the second, and the operator sees none."""
    answers = make_answers(db, catalog, clock)
    enroll_hire(answers, clock)
    answers.onboarding.enroll(
        actor=Actor.cli(), hire=OTHER, plan_id=PLAN_ID, start=clock.now().date(), manager="U0BOSS"
    )
    win(answers, HIRE, "communication")
    question = "How am I doing on communication?"
    mine = answers.ask(question=question, asker=Actor.slack(HIRE))
    theirs = answers.ask(question=question, asker=Actor.slack(OTHER))
    operator = answers.ask(question=question, asker=Actor.cli())
    assert "evidence: 1 piece" in mine.text
    assert "evidence: 0 pieces" in theirs.text
    assert not theirs.cached
    assert "evidence:" not in operator.text
    assert "Clear written and verbal explanations" in operator.text


def test_an_operator_asking_as_a_hire_never_counts_their_private_evidence(
    answers: Answers, clock: ManualClock
) -> None:
    """``onramp ask --as`` is capped like ``onramp growth --as``: the hire's private win is counted
    for the hire in Slack, not for an operator looking as them."""
    enroll_hire(answers, clock)
    win(answers, HIRE, "communication", visibility="private")
    question = "How am I doing on communication?"
    own = answers.ask(question=question, asker=Actor.slack(HIRE))
    looked = answers.ask(question=question, asker=Actor.slack(HIRE), impersonated=True)
    assert "evidence: 1 piece" in own.text
    assert "evidence: 0 pieces" in looked.text


def test_a_question_about_someone_else_says_nothing_about_them(
    answers: Answers, clock: ManualClock
) -> None:
    """Asking how another hire does on a dimension is refused or answered from the blueprint
    alone: never their ratings or evidence."""
    enroll_hire(answers, clock)
    win(answers, HIRE, "collaboration")
    for question in (
        f"How is <@{HIRE}> doing on collaboration?",
        "What does Priya need for a promotion?",
    ):
        answer = answers.ask(question=question, asker=Actor.slack("U0BOSS"))
        assert "evidence:" not in answer.text
        assert "Where you stand" not in answer.text


def test_someone_not_on_a_plan_gets_the_blueprint_and_is_told_why_no_record(
    answers: Answers,
) -> None:
    """A Slack user with no plan asking about promotion gets every criterion and a note that
    there is no record of theirs yet."""
    answer = answers.ask(question="What do I need for a promotion?", asker=Actor.slack("U0NEW"))
    for fact in PROMOTION_FACTS:
        assert fact in answer.text
    assert "You're not on an Onramp plan, so there are no ratings or evidence of yours" in (
        answer.text
    )


def test_paths_question_lists_next_and_adjacent_roles_cited(answers: Answers) -> None:
    """Where the role leads: next roles, then adjacent paths, in the blueprint's words, cited."""
    answer = answers.ask(question="What jobs could I move into after this one?")
    assert answer.text.index("Next roles:") < answer.text.index("Adjacent paths:")
    assert "LLM Engineer (Mid-level): Owns features end-to-end" in answer.text
    assert "Applied Scientist" in answer.text
    assert {c.id for c in answer.citations} == {
        "s15.next-likely-roles-after-this-role",
        "s15.adjacent-career-paths",
    }


def test_claude_gets_the_criteria_first_and_reads_only_the_askers_growth(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake_api: FakeMessagesAPI
) -> None:
    """With Claude, a hire's promotion question sends every §15 criterion as the first sources,
    offers read_my_growth (no user id), whose result is the hire's own counts, the reply's citation
    of the second source maps back to that criterion, and the e-mail never reaches the model."""
    answers = make_answers(db, catalog, clock, model=claude_model(fake_api))
    enroll_hire(answers, clock)
    win(answers, HIRE, "clear-tradeoffs")
    cited = "Demonstrates strong debugging ability and operational judgment."
    final = message(
        [
            {
                "type": "text",
                "text": cited,
                "citations": [
                    {
                        "type": "search_result_location",
                        "source": "s15.skills-needed-for-promotion",
                        "title": None,
                        "cited_text": cited,
                        "search_result_index": 1,
                        "start_block_index": 0,
                        "end_block_index": 1,
                    }
                ],
            }
        ]
    )
    fake_api.enqueue(tool_use_message("read_my_growth", {}), Scripted(body=final))
    answer = answers.ask(
        question="What do I need for a promotion? Reply to jane.doe@example.com",
        asker=Actor.slack(HIRE),
    )
    first, second = fake_api.requests
    results = [b for b in first.body["messages"][0]["content"] if b["type"] == "search_result"]
    assert [r["source"] for r in results[:4]] == ["s15.skills-needed-for-promotion"] * 4
    assert "RAG + tool calling + eval + monitoring" in json.dumps(results[0])
    tools = {t["name"]: t for t in first.body["tools"]}
    assert tools["read_my_growth"]["input_schema"]["properties"] == {}
    [result] = second.body["messages"][-1]["content"]
    assert result["is_error"] is False
    assert (
        "Communicate tradeoffs clearly to PMs and partner teams — evidence: 1 piece"
        in (result["content"])
    )
    assert "jane.doe@example.com" not in json.dumps(first.body)
    assert answer.backend == "anthropic"
    assert answer.personal
    [citation] = answer.citations
    assert (citation.id, citation.quote) == ("s15.skills-needed-for-promotion", cited)


def test_claude_offers_no_growth_tool_to_the_operator(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake_api: FakeMessagesAPI
) -> None:
    """An operator's (or anonymous) career question gets the blueprint's passages and no
    read_my_growth tool: there is no asker whose record it could read."""
    answers = make_answers(db, catalog, clock, model=claude_model(fake_api))
    answers.ask(question="How am I doing on evaluation mindset?", asker=Actor.cli())
    [request] = fake_api.requests
    assert "read_my_growth" not in {t["name"] for t in request.body.get("tools", [])}
    results = [b for b in request.body["messages"][0]["content"] if b["type"] == "search_result"]
    assert results[0]["source"] == "s19.scorecard-dimensions"


def test_a_rated_hire_sees_their_own_latest_ratings_in_the_blueprints_words(
    onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """Once both sides of the day-90 growth check-in are in, the hire's dimension answer names
    their self and manager level by the blueprint's labels; the manager, who is on no plan,
    asking the same question about themselves hears none of the hire's ratings."""
    rig = growth_rig(onboarding, sandbox, clock)
    enroll(onboarding, tz="America/New_York", profile_in=sandbox)
    rig.run("2027-02-01T14:30:00")  # day 90 of a hire who started Mon 2 Nov 2026
    rows = {r.key: r.id for r in rig.rows()}
    rounds = rig.checkins.growth_rounds
    rounds.submit(user_id=RATED, outbox_id=rows["growth_self:1:90d"], ratings=ratings(3))
    rounds.submit(
        user_id=MANAGER,
        outbox_id=rows["growth_manager:1:90d"],
        ratings=ratings(2, evaluation_mindset=1),
    )
    answers = make_answers(onboarding.db, onboarding.catalog, clock)
    question = "How am I doing on eval mindset?"
    mine = answers.ask(question=question, asker=Actor.slack(RATED))
    boss = answers.ask(question=question, asker=Actor.slack(MANAGER))
    assert (
        "Evaluation mindset — your rating: excellent (90-day), your manager's: below bar (90-day)"
        in mine.text
    )
    assert "your rating" not in boss.text
    assert "You're not on an Onramp plan" in boss.text


def test_slack_ask_answers_a_career_question_with_the_hires_own_record(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Through the real Bolt app, a hire's win counts in their private `/onramp ask` career
    answer, cited to §19, and their manager asking the same question hears none of it."""
    enrolled.command("win Wrote the incident runbook tag=communication", SLACK_HIRE)
    for user in (SLACK_HIRE, SLACK_MANAGER):
        enrolled.command("ask How am I doing on communication?", user)
    assert runtime.settle()
    [mine] = [e for e in sandbox.ephemerals(SLACK_HIRE) if e.source == "response_url"]
    [boss] = [e for e in sandbox.ephemerals(SLACK_MANAGER) if e.source == "response_url"]
    shown_mine = mine.text + json.dumps(mine.blocks, ensure_ascii=False)
    assert "Clear written and verbal explanations" in shown_mine
    assert "evidence: 1 piece" in shown_mine
    assert "§19 Hiring Evaluation Criteria" in shown_mine
    assert "evidence:" not in boss.text + json.dumps(boss.blocks)


def test_prompt_v2_tells_claude_to_list_everything_and_give_no_verdict(
    db: Database, catalog: PlanCatalog, clock: ManualClock, fake_api: FakeMessagesAPI
) -> None:
    """With answer@v2, Claude's system prompt asks for every criterion cited, the asker's record
    only through read_my_growth, and no readiness verdict; the answer records that version."""
    policy = AnswerPolicy(prompt="answer@v2")
    answers = make_answers(db, catalog, clock, model=claude_model(fake_api), policy=policy)
    answer = answers.ask(question="What do I need for a promotion?")
    [request] = fake_api.requests
    system = request.body["system"][0]["text"]
    assert "list every promotion criterion" in system
    assert "call read_my_growth" in system
    assert "Never say whether they are ready for promotion" in system
    assert answer.prompt_version == "answer@v2"
