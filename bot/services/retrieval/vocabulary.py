"""The words retrieval expands a question with, and the words it discounts.

The first step of :mod:`bot.services.retrieval`: common paraphrases are rewritten to the
blueprint's own words (:data:`PHRASES`), single words gain the blueprint words they stand for
(:data:`SYNONYMS`), number words become digits (:data:`NUMBER_WORDS`), and words that say nothing
about which passage is meant are dropped (:data:`EXTRA_STOP_WORDS`) or weigh little
(:data:`GENERIC_WORDS`). Data only: :mod:`bot.services.retrieval.retriever` applies it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.domain.chunks import word_set

#: Paraphrases rewritten before tokenizing, as (pattern, replacement). The replacement is in the
#: blueprint's own vocabulary; the original words stay in the question too.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bhalf (a|of the) year\b|\bsix[- ]months?\b|\b6[- ]months?\b|\bmonth (6|six)\b", "6-month"),
    (
        r"\b(twelve|12) months?\b|\b(first|one|a full|whole|1st) year\b|\bannual(ly)?\b|"
        r"\bmonth (12|twelve)\b|\bend of (the|my) year\b|\byear one\b",
        "12-month year",
    ),
    (
        r"\b(first|one|1st) month\b|\bfirst (4|four) weeks\b|\bfirst (30|thirty)[- ]days?\b",
        "30-day",
    ),
    (r"\bthirty[- ]days?\b|\b30[- ]days?\b|\bday[- ](30|thirty)\b|\bmonth one\b", "30-day"),
    (
        r"\b(two|2)[- ]months?\b|\bsecond month\b|\bsixty[- ]days?\b|\b60[- ]days?\b|"
        r"\bday[- ](60|sixty)\b",
        "60-day",
    ),
    (
        r"\b(three|3)[- ]months?\b|\bthird month\b|\bninety[- ]days?\b|\b90[- ]days?\b|"
        r"\bday[- ](90|ninety)\b|"
        r"\bfirst quarter\b",
        "90-day",
    ),
    (r"\b95(th)? percentile\b|\bninety[- ]fifth percentile\b|\btail latency\b", "p95"),
    (r"\b(50th percentile|median)\b", "p50"),
    (r"\bpull requests?\b|\bmerge requests?\b", "PR PRs"),
    (r"\breport(s)? to\b|\bline manager\b|\bwho manages\b", "manager reports"),
    (
        r"\bmake(s)? (things|stuff|facts) up\b|\bmade[- ]up\b|\bmaking (things|stuff) up\b",
        "hallucination",
    ),
    (r"\bpersonal (data|information|info)\b|\bpersonally identifiable\b", "PII sensitive data"),
    (r"\btake[- ]home\b|\bcoding (test|exercise|challenge)\b", "exercise case studies"),
    (r"\bday[- ]to[- ]day\b|\bevery ?day\b|\beach day\b", "daily"),
    (r"\bevery week\b|\beach week\b|\bonce a week\b", "weekly"),
    (r"\bevery (two|2) weeks\b|\bfortnight(ly)?\b|\bbi-?weekly\b", "biweekly"),
    (r"\bevery month\b|\bonce a month\b|\beach month\b", "monthly"),
    (r"\bsoft skills?\b|\bpeople skills?\b|\binterpersonal\b", "behavioral soft skills"),
    (r"\bhard skills?\b|\btechnical abilities\b", "technical skills"),
    (
        r"\bcareer (path|ladder|growth)\b|\bmove (up|on|into)\b|\bnext (job|role|step)s?\b|"
        r"\bafter this (one|job|role|position)\b|\blead to\b",
        "career progression next likely roles",
    ),
    (
        r"\bin (one|a) (line|sentence)\b|\btl;?dr\b|\bsummar(y|ise|ize)\b|\boverview\b|"
        r"\bin short\b|\bwhat is (this|the) (job|role|position) about\b|\bin a nutshell\b",
        "role summary purpose",
    ),
    (
        r"\bwhy (do|does|would|should) (we|a company|companies|the company|they|anyone)\b"
        r"[^.?!]{0,30}\b(need|have|hire|bother|want)\b|\bwhy (does|do) (this|the) (role|job|"
        r"position) exist\b",
        "role exists business value",
    ),
    (r"\bfunction calls?\b|\bfunction calling\b", "tool calling"),
    (r"\bvector (store|database|db)s?\b", "vector db databases"),
    (r"\bhand(ed)? (over|in|off)\b|\bturn in\b", "deliverables outputs"),
    (r"\bwarning signs?\b|\bdeal[- ]?breakers?\b", "red flags"),
    (r"\bbad habits?\b|\bthings to avoid\b|\bmistakes to avoid\b", "anti-patterns"),
    (r"\bbig compan(y|ies)\b|\blarge compan(y|ies)\b|\bcorporates?\b", "enterprise"),
    (r"\bsmall compan(y|ies)\b", "startup"),
    (r"\bwho (do|should) i (ask|go to|call|contact|escalate to)\b", "escalation"),
    (r"\bon[- ]?call\b|\bpager\b|\boutages?\b", "incident on-call"),
    (r"\bslow(s|ing)? (\w+ ){0,2}down\b|\bholds? (\w+ )?back\b", "bottlenecks"),
    (
        r"\bwithout (asking|approval|permission|checking)\b|\bon my own\b|\bby myself\b|"
        r"\bmy own call\b",
        "decide independently",
    ),
    (r"\bup[- ]to[- ]date\b|\bkept current\b", "freshness updated"),
    (r"\b(goes|went|is|are) down\b|\bstops? working\b|\bbreaks?\b", "degradation incident"),
    (r"\b(normal|typical|average|regular|ordinary) (working |work )?day\b", "daily activities"),
    (
        r"\bcome(s)? from\b|\bbefore (this|the) (job|role)\b|\bprevious (jobs?|roles?)\b",
        "prior backgrounds feeder",
    ),
    (
        r"\bwork(s|ing)? (with|alongside)\b|\bdeal(ing)? with\b|\binteract(s|ing)? with\b",
        "interacts collaboration stakeholders",
    ),
    (r"\bsign[- ]?off\b|\bgreen[- ]?light\b", "approval"),
)

#: Single words and the blueprint words they stand for (stems are matched, so "slower" and
#: "slowest" need no entries of their own as long as they stem like "slow").
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "fast": ("latency",),
    "faster": ("latency",),
    "slow": ("latency",),
    "slower": ("latency",),
    "quick": ("latency",),
    "quickly": ("latency", "time"),
    "speed": ("latency",),
    "speedy": ("latency",),
    "responsive": ("latency",),
    "lag": ("latency",),
    "delay": ("latency",),
    "money": ("cost",),
    "spend": ("cost",),
    "spending": ("cost",),
    "expensive": ("cost",),
    "cheap": ("cost",),
    "cheaper": ("cost",),
    "price": ("cost",),
    "pricing": ("cost",),
    "dollars": ("cost",),
    "savings": ("cost",),
    "boss": ("manager",),
    "supervisor": ("manager",),
    "supervises": ("manager",),
    "lead": ("lead", "tech"),
    "promotion": ("promotion", "progression"),
    "promoted": ("promotion", "progression"),
    "advance": ("progression",),
    "advancement": ("progression",),
    "career": ("career", "progression"),
    "hallucinate": ("hallucination",),
    "hallucinating": ("hallucination",),
    "fabricate": ("hallucination", "fabricated"),
    "fabricated": ("hallucination",),
    "percentile": ("p95", "p50"),
    "meetings": ("meetings", "rituals", "standup", "ceremonies"),
    "meeting": ("meetings", "rituals"),
    "rituals": ("meetings",),
    "ceremonies": ("sprint",),
    "degree": ("education", "bs"),
    "diploma": ("education",),
    "university": ("education",),
    "college": ("education",),
    "certificate": ("certifications",),
    "certified": ("certifications",),
    "experience": ("experience", "years"),
    "interview": ("interviews", "hiring", "candidate"),
    "interviewing": ("interviews", "candidate"),
    "candidates": ("candidate",),
    "hiring": ("hiring", "interviews"),
    "authority": ("decision", "authority"),
    "decide": ("decide", "decision"),
    "approve": ("approval",),
    "allowed": ("decide", "independently", "approval"),
    "permission": ("approval",),
    "permitted": ("decide", "approval"),
    "vendor": ("vendor", "provider"),
    "provider": ("vendor", "provider"),
    "supplier": ("vendor",),
    "duties": ("responsibilities",),
    "tasks": ("responsibilities", "activities"),
    "job": ("role",),
    "position": ("role",),
    "purpose": ("purpose", "mission"),
    "mission": ("mission", "purpose"),
    "goal": ("goals", "objectives", "target"),
    "resist": ("resilience",),
    "resisting": ("resilience",),
    "robust": ("resilience", "robustness"),
    "robustness": ("resilience", "robustness"),
    "attacks": ("injection", "jailbreak"),
    "attack": ("injection", "jailbreak"),
    "goals": ("goals", "objectives", "milestones"),
    "expectations": ("goals", "expectations"),
    "deliverables": ("deliverables", "outputs"),
    "outputs": ("outputs", "deliverables"),
    "produce": ("deliverables", "outputs"),
    "artifacts": ("artifacts", "deliverables"),
    "metrics": ("kpis", "metric"),
    "measured": ("kpis", "metric"),
    "kpi": ("kpis", "metric"),
    "target": ("target", "benchmark"),
    "benchmark": ("target", "benchmark"),
    "risks": ("risks", "challenges"),
    "challenges": ("challenges", "risks"),
    "pitfalls": ("anti-patterns", "failure"),
    "struggle": ("underperformance", "challenges"),
    "underperform": ("underperformance",),
    "fail": ("failure", "underperformance"),
    "refreshed": ("freshness", "updated"),
    "refresh": ("freshness", "refresh"),
    "outdated": ("freshness", "stale"),
    "stale": ("stale", "freshness"),
    "departments": ("teams", "functions", "stakeholders"),
    "department": ("teams", "functions"),
    "mature": ("emerging", "horizon", "maturity"),
    "established": ("emerging", "horizon"),
    "past": ("prior",),
    "previous": ("prior",),
    "difficulties": ("challenges",),
    "difficulty": ("challenges",),
    "hardest": ("challenges",),
    "obstacles": ("bottlenecks", "challenges"),
    "blockers": ("bottlenecks",),
    "startup": ("startup",),
    "enterprise": ("enterprise",),
    "regulated": ("regulated",),
    "bank": ("finance", "regulated"),
    "banking": ("finance", "regulated"),
    "healthcare": ("health", "regulated"),
    "automate": ("automated", "automation"),
    "automated": ("automated", "automation"),
    "replace": ("automated",),
    "privacy": ("privacy", "pii"),
    "pii": ("pii", "privacy"),
    "docker": ("docker", "containerization"),
    "containers": ("containerization", "docker"),
    "kubernetes": ("kubernetes", "orchestration"),
    "k8s": ("kubernetes",),
    "flags": ("flags", "feature"),
    "toggles": ("flags",),
    "logs": ("logging", "logs"),
    "secrets": ("secrets", "vault"),
    "credentials": ("secrets",),
    "docs": ("documentation",),
    "documenting": ("documentation", "document"),
    "dashboards": ("dashboards", "monitor"),
    "monitoring": ("monitoring", "dashboards"),
    "alerts": ("alerts", "alerting"),
    "paging": ("alerts",),
    "evals": ("eval", "evaluation"),
    "eval": ("eval", "evaluation"),
    "evaluation": ("eval", "evaluation"),
    "testing": ("tests", "testing"),
    "rag": ("rag", "retrieval"),
    "retrieval": ("retrieval", "rag"),
    "jailbreak": ("jailbreak", "injection"),
    "injection": ("injection",),
    "guardrails": ("guardrails", "safety"),
    "safety": ("safety", "guardrails"),
    "team": ("team", "squad"),
    "squad": ("squad", "team"),
    "colleagues": ("stakeholders", "collaboration"),
    "collaborate": ("collaboration", "stakeholders"),
    "stakeholders": ("stakeholders", "collaboration"),
    "escalate": ("escalation", "escalate"),
    "incident": ("incident", "incidents"),
    "incidents": ("incident",),
    "postmortem": ("postmortems",),
    "standup": ("standup",),
    "learn": ("learning",),
    "learning": ("learning", "learn"),
    "courses": ("learning", "courses"),
    "training": ("training", "learning"),
    "onboarding": ("onboarding", "30-day"),
    "first": ("first",),
    "background": ("backgrounds", "prior"),
    "backgrounds": ("backgrounds", "prior"),
    "stack": ("stack", "environment"),
    "tools": ("tools", "platforms"),
    "software": ("software", "tools"),
    "emerging": ("emerging", "future"),
    "future": ("future", "emerging"),
    "satisfaction": ("satisfaction",),
    "happy": ("satisfaction",),
    "users": ("user",),
    "customers": ("customer", "user"),
    "fine-tune": ("fine-tuning",),
    "finetuning": ("fine-tuning",),
    "tokens": ("token",),
    "cache": ("caching", "cache"),
    "caching": ("caching", "cache"),
    "exercise": ("exercises", "case"),
    "exercises": ("exercises",),
    "scorecard": ("scorecard",),
    "summary": ("summary",),
}

#: Words that say nothing about *which* passage is meant.
EXTRA_STOP_WORDS = word_set(
    """
    junior llm engineer engineers role blueprint describe described explain list main key
    important mention mentioned according listed document doc part section bother actually
    basically nutshell hoping hope happens happen come comes dealing deal exist exists stay
    staying count counts mean means matter matters besides stand look looks like normal
    usually write concrete someone somebody people person things stuff overall general
    generally specific specifically example examples regarding related relate expected
    supposed am ought ultimately briefly roughly approximately quite truly simply
    """
)

#: Everyday words that carry little meaning in a question about a role, whatever their rarity in
#: the blueprint ("help", "work", "first"): they still count, at a low weight.
GENERIC_WORDS = word_set(
    """
    help helps work works working part parts share go goes going went wrong badly good bad
    better best worse worst later soon hold handle differ different difference worry tiny big
    huge little lot lots much many several new old make makes made take takes took put find
    found think thought feel keep kept start started begin try tries need needs want wants ask
    asked asks call called give gives gave first last next time times way ways place
    thing area areas kind type types day days week weeks month months year years level levels
    able allowed required require requires expected happen become becomes get gets getting
    set sets run runs long short high low fast right left line lines end ends point points
    achieve achieved accomplish accomplished reach reached complete completed deliver done
    """
)
GENERIC_WEIGHT = 1.0

NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twelve": "12",
    "eighteen": "18",
    "twenty": "20",
    "thirty": "30",
    "sixty": "60",
    "ninety": "90",
}
#: A number word in a question ("one" is left alone: "one of the …").
NUMBER_WORD = re.compile(
    r"\b(" + "|".join(k for k in NUMBER_WORDS if k != "one") + r")\b", re.IGNORECASE
)
