"""Offline intent rules: is a question about the asker's own plan, someone else's, or off-topic?

The extractive backend has no model to tell "what are the 60-day goals?" (the blueprint) from
"what's left for my day 60?" (the asker's enrollment), so these rules do it. They are deliberately
conservative: a question is *personal* only when it speaks in the first person about progress or
the present (this week, what's left, I finished …); anything else goes to the blueprint.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.chunks import terms, word_set, words
from bot.domain.plan import Plan
from bot.domain.progress import MilestoneStatus


class IntentKind(StrEnum):
    """What a question asks for."""

    BLUEPRINT = "blueprint"  # about the role: answer from the blueprint
    FOCUS = "focus"  # what should I work on now
    REMAINING = "remaining"  # what's left (in a phase, or now)
    PROGRESS = "progress"  # how am I doing
    UPDATE = "update"  # I finished / started / am blocked on X
    OTHER_PERSON = "other_person"  # someone else's progress: never answered
    OFF_TOPIC = "off_topic"  # pay, leave, facilities, general chat: refused
    GREETING = "greeting"  # "hi", "good morning", "how are you?": a friendly line
    THANKS = "thanks"  # "thanks!", "ok cool", "👍", "bye": a friendly line


@dataclass(frozen=True)
class Intent:
    """The outcome of :func:`classify`."""

    kind: IntentKind
    phase_id: str | None = None
    status: MilestoneStatus | None = None
    subject: str = ""
    topic: str | None = None
    #: The words that made a question off-topic ("salary", "office hours" …).
    cue: str = ""
    #: Off-topic whatever the blueprint says: a request for general coding help or a lookup of
    #: this company's own names, links and numbers. Other topic rules are vetoed by a blueprint
    #: that covers the question (see ``Answers``).
    certain: bool = False

    @property
    def personal(self) -> bool:
        """Answered from the asker's own enrollment."""
        return self.kind in (
            IntentKind.FOCUS,
            IntentKind.REMAINING,
            IntentKind.PROGRESS,
            IntentKind.UPDATE,
        )


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


# --- off-topic: things a role blueprint never covers ------------------------------------------

_OFF_TOPIC: dict[str, re.Pattern[str]] = {
    "pay": _rx(
        r"\b(salary|salaries|wages?|compensation|bonus(es)?|equity|stock options?|rsus?|pension|"
        r"401k|paycheck|payslip|payroll|payday|(get|be|am|are|is|being|getting) paid|"
        r"pay (rise|raise|band|scale|range)|how much (do|will|would|does) \w+ (make|earn|get))\b"
    ),
    "leave": _rx(
        r"\b(vacation|holidays?|pto|paid time off|time off|days off|sick (days?|leave)|"
        r"parental leave|maternity|paternity|annual leave|leave allowance|sabbatical)\b"
    ),
    "benefits": _rx(
        r"\b(health insurance|insurance|dental|benefits package|perks|gym|stipend|relocation|"
        r"visa|expenses? (claim|policy|report)|reimburse\w*)\b"
    ),
    "remote": _rx(
        r"\b(work(ing)? from (home|abroad|another country|[A-Z][a-z]+)|wfh|office days|"
        r"in the office|days in office|fully remote|(work|working|job|role|position|team)\s+"
        r"(\w+\s+)?(remote(ly)?|hybrid)|(remote(ly)?|hybrid)\s+(work|working|job|role|position|"
        r"days?|policy|schedule|arrangement|setup|first|friendly|on)|remote(ly)? (from|abroad))\b"
    ),
    "workplace": _rx(
        r"\b(timesheets?|expenses?|expensing|reimburs\w*|emergency contacts?|meeting rooms?|"
        r"book a room|probation\w*|employee (id|number|handbook)|revenue|share price|"
        r"train station|bus stop|org(anization)? chart|reset my password|my password|"
        r"badge|swag|t-?shirt|birthday|(holiday|christmas|office|team|company|summer|leaving|"
        r"farewell|birthday) part(y|ies)|offsite venue)\b"
    ),
    "facilities": _rx(
        r"\b(laptop|vpn|it (support|help ?desk)|help ?desk|password reset|email account|"
        r"(at|to|in|into|near|around|from) the office|office (address|building|location)|"
        r"desk|chair|"
        r"ceo|cto|cfo|founders?|headquarters|hq|org chart|company history|"
        r"parking|park my|car park|office address|desk booking|cafeteria|canteen|lunch|"
        r"dress code|wifi|wi-fi|badge|dogs?|pets?|commute|bike|kitchen|coffee machine|printer|"
        r"pizza|restaurants?)\b|"
        r"\b(install|set ?up|configure)\b[^.?!]{0,40}\bon (windows|mac|macos|linux|my (laptop|"
        r"machine|computer))\b"
    ),
    "small_talk": _rx(
        r"\b(weather|forecast|football|soccer|basketball|match last night|sports?|movies?|"
        r"recipe|joke|poem|song|horoscope|stock price|bitcoin|election|news today|capital of|"
        r"meaning of life|your favou?rite)\b"
    ),
    "coding_help": _rx(
        r"\b(reverse a (list|string)|fizzbuzz|leetcode|stack ?overflow|segfault|"
        r"null pointer|compile error|my code|this code|ide|vs ?code|pycharm|vim|emacs|"
        r"text editor)\b"
    ),
}

# Coding work asked *of the bot* ("write me a function", "can you fix this regex"), as opposed to a
# question about whether the role writes code ("will I write production code?").
_CODING_REQUEST = _rx(
    r"(^|[.!?;:]\s*|\b(can|could|would|will) you (please )?|\bplease |\bhelp me (to )?|"
    r"\bi (need|want) you to |\bi'?d like you to )"
    r"(write|give me|generate|fix|debug|refactor|implement|code up)\b[^.?!]{0,30}\b"
    r"(function|script|code|snippet|query|regex|class|program|bash|sql)\b|"
    r"\b(write|generate|give) me (a|an|some)\b[^.?!]{0,30}\b"
    r"(function|script|code|snippet|query|regex|class|program)\b|"
    r"\b(function|script|code|snippet|query|regex|program)\b[^.?!]{0,30}\bfor me\b"
)

# This company's own names, links, channels and numbers: a role blueprint is generic and never
# knows them ("what's the URL of our dashboard?", "which Slack channel is for incidents?").
_INSTANCE = (
    r"(urls?|links?|channels?|dashboard|board|wiki|repo|repository|project|cluster|server|"
    r"account|workspace|bucket|rotation|schedule|calendar|address|domain|version|name|"
    r"headcount|org chart)"
)
_COMPANY = _rx(
    r"\b(url|urls|web ?address|links? (to|for))\b|"
    r"\b(slack|teams|discord) channels?\b|\b(which|what)(\s+is|'s)?\s+(the\s+)?channel\b|"
    r"\bhow many (people|employees|staff|engineers|developers|colleagues)\b[^.?!]{0,40}\b"
    r"(this|our|the) (company|org\w*|business|firm)\b|\bheadcount\b|"
    r"\bhow (big|large) is (this|our|the) (company|org\w*|business)\b|"
    r"\b(our|this company'?s|the company'?s|our team'?s|my team'?s|my squad'?s)\s+"
    r"(\S+\s+){0,3}?" + _INSTANCE + r"\b|"
    r"\b(which|what)\s+(\S+\s+){0,2}?(channel|dashboard|board|wiki|repo|repository|project|"
    r"cluster|workspace|server|rotation)\s+(is|are|does|do)\s+(we|our|my team|the team|"
    r"my squad)\b|"
    r"\bwhat('s| is) the name of (our|my)\b"
)

# The asker's own pay and benefits, however casually put ("is on-call paid extra?", "do we get a
# bonus?", "is there stock?"): certain, whatever the blueprint says about on-call or budgets. The
# words never describe what an LLM call costs, so "cost per successful task" stays answered.
_PAY = _rx(
    r"\b(salary|salaries|wages?|compensation|compensated|bonus(es)?|equity|stock options?|"
    r"stock grants?|rsus?|pension|401k|paycheck|payslip|payroll|pay ?day|overtime|"
    r"health insurance|dental|perks|stipend|benefits package|employee benefits|"
    r"(get|be|am|are|is|being|getting|was|were) (paid|compensated)|paid (extra|more|overtime)|"
    r"extra pay|pay extra|on-?call (pay|allowance|bonus|stipend|rate)|"
    r"(a|get|my|any|the) (pay )?raise|pay (rise|raise|band|scale|range|grade|review)|"
    r"(is|are) there (any )?(stock|shares|equity)|"
    r"how much (do|will|would|does|can) (\w+ ){1,3}(make|earn|pay)|"
    r"(what|how much) does (this|the) (job|role|position) pay|"
    r"does (this|the) (job|role|position) pay)\b"
)

_WEEKDAY = r"(mon|tues?|wednes|thurs?|fri|satur|sun)day"
# This company's calendar ("when's the next all-hands?", "what time is standup here?", "is the
# office open on Friday?"): the blueprint names the role's rituals but not when ours happen.
# "What recurring meetings does this role have?" and "how often are retros?" stay questions
# about the role: only a time or date asked about a specific occurrence is a calendar lookup.
_EVENT = (
    r"(all-?hands|town ?halls?|stand-?ups?|sprint planning|planning|retros?|retrospectives?|"
    r"demos?|demo day|offsites?|off-sites?|meetings?|1:1s?|one-on-ones?|part(y|ies)|socials?|"
    r"hackathons?|kick-?offs?|review cycles?|performance reviews?|onboarding sessions?|"
    r"trainings?|workshops?|lunch|sync|syncs|office)"
)
_CALENDAR = _rx(
    r"\b(what|which) (time|date|day)\b[^.?!]{0,40}\b" + _EVENT + r"\b|"
    r"\b" + _EVENT + r"\b[^.?!]{0,30}\b(what|which) (time|date|day)\b|"
    r"\b(when('s| is| are| does| do| will| was)?|how long until|how soon)\b[^.?!]{0,40}\b"
    + _EVENT
    + r"\b[^.?!]{0,40}\b(here|today|tomorrow|tonight|this (week|month|quarter|year|"
    + _WEEKDAY
    + r")|on "
    + _WEEKDAY
    + r"|at (this|our|the) (company|office))\b|"
    r"\b(when('s| is| are| does| do| will)?|how long until)\s+(\w+\s+){0,2}?"
    r"(the |our )?(next|upcoming)\s+(\w+\s+){0,2}?" + _EVENT + r"\b|"
    r"\b(is|are|will) (the |our )?offices? (be )?(open|closed)\b"
)

#: Requests refused whatever the blueprint says, with their topic, in the order they are tried.
_CERTAIN_OFF_TOPIC = (
    (_COMPANY, "company"),
    (_PAY, "pay"),
    (_CALENDAR, "company"),
    (_CODING_REQUEST, "coding_help"),
)

# Phrases that look off-topic but are about the role ("cost per request" is not pay).
_ON_TOPIC_GUARD = _rx(
    r"\b(cost per|token|latency|budget|vendor|evaluat|eval|prompt|rag|retriev|kpi|metric)\w*"
)

# --- someone else's progress ------------------------------------------------------------------

_PROGRESS_NOUNS = (
    r"(progress|plan|milestones?|status|onboarding|check-?ins?|goals|tasks?|day[- ]?\d+|"
    r"mood|blockers?|pulse|answers?|performance|notes?)"
)
_GENERIC_OWNERS = {
    "role",
    "job",
    "position",
    "team",
    "company",
    "org",
    "organization",
    "organisation",
    "today",
    "week",
    "month",
    "year",
    "blueprint",
    "plan",
    "product",
    "engineer",
    "hire",
    "junior",
    "llm",
    "it",
    "one",
    "someone",
    "person",
    "onramp",
    "bot",
    "model",
    "user",
    "customer",
    # Contractions, not possessives: "what's left in my plan".
    "what",
    "that",
    "there",
    "here",
    "who",
    "where",
    "how",
    "let",
    "he",
    "she",
    "when",
    "why",
    "which",
    # Roles and things, not people on a plan: "a tech lead's review", "the model's answers".
    "lead",
    "manager",
    "mentor",
    "senior",
    "reviewer",
    "pm",
    "vendor",
    "provider",
    "system",
    "service",
    "candidate",
    "interviewer",
    "squad",
    "industry",
    "business",
}
_POSSESSIVE = _rx(
    r"(?:\b(\w+)\s+)?\b([a-z][\w.-]*)['’]s\s+(?:[\w-]+\s+){0,3}?" + _PROGRESS_NOUNS + r"\b"
)
# Capitalised words that name things, not people, after "is/has/how is …".
_NOT_PEOPLE = {
    "code",
    "review",
    "evaluation",
    "eval",
    "python",
    "claude",
    "chatgpt",
    "gpt",
    "retrieval",
    "search",
    "testing",
    "monitoring",
    "onboarding",
    "production",
    "everything",
    "anything",
    "nothing",
    "something",
    "work",
    "training",
    "documentation",
    "deployment",
    "rag",
}
_INDEFINITE = {"a", "an", "any", "each", "every", "another", "some", "one", "typical", "average"}
_MENTION = _rx(r"<@[A-Z0-9]+(?:\|[^>]*)?>|(?<![\w<])@(?!(channel|here|everyone)\b)[a-z][\w.-]+")
# How someone is doing: the verbs and phrases people use about a person's progress.
_HOW_DOING = (
    r"(doing|getting on|getting along|coming along|settling( in)?|coping|holding up|faring|"
    r"ramping( up)?|keeping up|fitting in|adjusting|progressing|performing|going(?! to\b)|"
    r"struggling|improving|progress|along|finished|completed|done|blocked|behind|ahead|on track|"
    r"off track|working on|been up to|status|milestones?|stuck|check-?ins?|notes|reported|report|"
    r"(ok|okay|alright|all right)\s*[?!.]*$)"
)


def _someone(group: str) -> str:
    """Someone other than the asker, captured as ``group``: a capitalised name, a Slack user id,
    "my hire", "the new starter", "she"."""
    return (
        rf"(?P<{group}>(?-i:[A-Z][a-z]+|[UW][A-Z0-9]{{4,}})|"
        r"my (new )?(hires?|mentees?|colleagues?|coworkers?|co-workers?|teammates?|"
        r"team members?|peers?|reports?|direct reports?|interns?|juniors?|friends?|managers?|"
        r"mentors?|boss|starters?|joiners?|engineers?|people|team)|"
        r"(the|our|this|that) new (hires?|starters?|joiners?|engineers?|person|guy|girl|intern)|"
        r"other (hires|people|engineers)|everyone|everybody|the other hires?|he|she)"
    )


_OTHERS = _rx(
    r"\b(how(\s+is|'s|’s|\s+are|\s+was|\s+were)|how far (along )?(is|are)|is|has|have|did|does|"
    r"what (is|has|did|was)|where (is|are))\s+"
    r"(?!(i|me|you|we|it|this|that|there|the|a|an)\b(?! new\b))"
    + _someone("who")
    + r"\b[^.?!]{0,40}?\b"
    + _HOW_DOING
    + r"(?=\W|$)|"
    r"\b(updates?|news|word|status|progress)\s+(on|about|from|for|of)\s+"
    + _someone("subject")
    + r"\b|"
    r"\bhow(\s+is|'s|’s)\s+" + _someone("lone") + r"\s*[?!.]*$"
)
#: Pronouns that stand for another person in "how is she doing?".
_THIRD_PERSON = {"he", "she"}
_OTHERS_NOUN = _rx(
    r"\b(every(one|body)'?s?|(?:every|each) (?:new )?hire'?s?|"
    r"all (the )?(hires|new hires|engineers|people)|other (hires|people|"
    r"engineers)'?s?|(my|a) (mentee|colleague|coworker|co-worker|teammate|peer|report)s?'?s?|"
    r"(his|her|their) )\s*(?:(?:\d+-day|last|latest|recent|current|weekly|daily|first|own)\s+)"
    r"{0,2}(?P<noun>" + _PROGRESS_NOUNS + r")?\b"
)

# --- the asker's own plan -----------------------------------------------------------------------

_FIRST_PERSON = _rx(r"\b(i|me|my|mine|i'm|im|i've|ive|i'd|myself)\b")
_NOW = _rx(
    r"\b(this week|today|tomorrow|right now|now|next|currently|at the moment|this sprint|"
    r"this month|first|start with|begin with)\b"
)
_FOCUS = _rx(
    r"\b(focus|work on|working on|prioriti[sz]e|tackle|do next|pick up|concentrate|next step|"
    r"next milestone|what's next|what is next|up next|spend my time)\b"
)
_REMAINING = _rx(
    r"\b(left|remaining|remain|outstanding|still (need|have|got) to|still to do|to-?do|"
    r"pending|unfinished|not (yet )?(done|finished|started)|haven't (done|finished|started)|"
    r"open items?|still open|are open|open (ones|goals|milestones)|incomplete|undone|missing)\b"
)
_PROGRESS = _rx(
    r"\b(how am i doing|how'?s my|my progress|am i on track|on track|am i behind|behind schedule|"
    r"where do i stand|where am i|my status|overdue|how far (along )?am i|what have i (done|"
    r"finished|completed)|have i (done|finished|completed)|my plan|which day am i|what day am i|"
    r"my milestones|my check-?ins?|am i late|percent|how much have i)\b"
)
_UPDATE: tuple[tuple[MilestoneStatus, re.Pattern[str]], ...] = (
    (
        MilestoneStatus.BLOCKED,
        _rx(
            r"\b(i'?m|i’m|i am|i've been|i have been|i got|got)\s+(stuck|blocked)\s+(on|with|by)\s+"
            r"(?P<x>.+)|\bmark\s+(?P<y>.+?)\s+(as\s+)?blocked\b"
        ),
    ),
    (
        MilestoneStatus.DONE,
        _rx(
            r"\bi(?:'ve|’ve|\s+have|\s+just|\s+finally|\s+now)*\s+(finished|completed|done|shipped|"
            r"delivered|wrapped up|closed|set up|completed work on)\s+(?P<x>.+)|"
            r"\b(i'?m|i am)\s+(done|finished)\s+with\s+(?P<z>.+)|"
            r"\bmark\s+(?P<y>.+?)\s+(as\s+)?(done|complete|completed|finished)\b"
        ),
    ),
    (
        MilestoneStatus.IN_PROGRESS,
        _rx(
            r"\bi(?:'ve|’ve|\s+have|\s+just|\s+now)*\s+(started|began|begun|kicked off)\s+"
            r"(?:on\s+|working on\s+|to work on\s+)?(?P<x>.+)|"
            r"\b(i'?m|i am)\s+(now\s+)?(working on|in the middle of)\s+(?P<z>.+)|"
            r"\bmark\s+(?P<y>.+?)\s+(as\s+)?(in[- ]progress|started)\b"
        ),
    ),
    (
        MilestoneStatus.SKIPPED,
        _rx(
            r"\bmark\s+(?P<y>.+?)\s+(as\s+)?skipped\b|"
            r"\bi(?:'m|’m|\s+am|'ll|\s+will|\s+want\s+to|'d\s+like\s+to|\s+would\s+like\s+to|"
            r"\s+have|'ve|\s+just)?(?:\s+going\s+to)?\s+(skip|skipped|skipping)\s+(?P<x>.+)|"
            r"^\s*(please\s+)?skip\s+(?P<z>.+)"
        ),
    ),
)

# "Done with X." / "Finished X." — a statement without a subject.
_BARE_DONE = _rx(r"^\s*(all\s+)?(done|finished|completed)\s+(with\s+)?(?P<x>\S.+)")

# A sentence that asks rather than tells: it may mention finishing or skipping a milestone ("what
# happens after I've finished X?", "if I skip X, is that a problem?") but must never change one.
_QUESTION_START = _rx(
    r"^\s*(what|what's|whats|when|where|which|who|whom|whose|why|how|if|once|after|before|"
    r"until|unless|whether|suppose|supposing|assuming|in case|should|shall|can|could|would|will|"
    r"is|are|am|was|were|do|does|did|have|has|had|may|might|must|any|anything|ok|okay)\b"
)
# A conditional or temporal clause around the statement: "… after I've finished X", "… if I skip".
_SUBORDINATE = _rx(
    r"\b(if|once|after|before|when|whenever|until|unless|whether|in case|as soon as|by the time|"
    r"assuming|suppose|supposing|what happens|what if|should|would|could|can|will|do|does|did)"
    r"\s+(?:\S+\s+){0,2}$"
)
# A request to the bot to record a status is an instruction even when phrased as a question.
_POLITE_MARK = _rx(r"^\s*(please\s+)?(can|could|would|will)\s+you\s+(please\s+)?(?=mark\b)")
_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")

_PHASE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rx(r"\b(day[- ]?30|30[- ]?days?|first month|month one|1 month)\b"), "30d"),
    (_rx(r"\b(day[- ]?60|60[- ]?days?|second month|two months|2 months)\b"), "60d"),
    (_rx(r"\b(day[- ]?90|90[- ]?days?|third month|three months|3 months|first quarter)\b"), "90d"),
    (_rx(r"\b((6|six)[- ]?months?|half[- ]a[- ]year|half[- ]year|month[- ]?6)\b"), "6mo"),
    (
        _rx(r"\b((12|twelve)[- ]?months?|first year|one year|a year|month[- ]?12|year one)\b"),
        "12mo",
    ),
)


def phase_of(text: str, plan: Plan | None) -> str | None:
    """The plan phase a question names ("day 60", "six months" …), by its due offset."""
    if plan is None:
        return None
    for pattern, due in _PHASE_WORDS:
        if pattern.search(text):
            for phase in plan.phases:
                if str(phase.due) == due:
                    return phase.id
    return None


def _other_person(text: str, things: frozenset[str]) -> str | None:
    for match in _POSSESSIVE.finditer(text):
        owner = match.group(2).lower()
        # "an intern's tasks", "a tech lead's review": a kind of person, not someone on a plan.
        generic = (match.group(1) or "").lower() in _INDEFINITE
        if owner not in _GENERIC_OWNERS and not generic:
            return match.group(2)
    mention = _MENTION.search(text)
    if mention and re.search(_PROGRESS_NOUNS + r"|doing|along|finished|done|blocked", text, re.I):
        return mention.group(0)
    for other in _OTHERS.finditer(text):
        # A capitalised word opening a clause may be a tool or a topic ("How is Python …").
        who = other.group("who") or other.group("subject") or other.group("lone")
        lowered = who.lower()
        if lowered in _THIRD_PERSON or (lowered not in _GENERIC_OWNERS | _NOT_PEOPLE | things):
            return who
    noun = _OTHERS_NOUN.search(text)
    if noun:
        # "everyone" and "their" alone are everyday words ("does everyone do code review?");
        # they point at other people's data only with a progress noun ("everyone's milestones").
        vague = noun.group(2) is not None or noun.group(0).strip().lower() in {
            "his",
            "her",
            "their",
        }
        if noun.group("noun") or not vague:
            return noun.group(0).strip()
    return None


# Greetings, thanks and acknowledgements: a message made of these alone is small talk with the
# bot ("hi", "ok thanks!", "good morning team", "👍", ":pray:"), never a question for retrieval.
# A greeting in front of a question ("hi, what are the KPIs?") leaves the question to answer.
_GREETING_PHRASES = _rx(
    r"\b(good (morning|afternoon|evening|day)|how are (you|things)( doing| today)?|"
    r"how('s| is) it going|how do you do|what'?s up|nice to meet you|"
    r"(hi|hello|hey) there)\b"
)
_THANKS_PHRASES = _rx(
    r"\b(thank(s| you)( (so|very) much| a lot| a ton| again| for (the|your|that|this|all) "
    r"(help|answer|info|information|reply|tip|pointer)s?)*|much appreciated|got it|sounds good|"
    r"will do|makes sense|that (helps|helped|works|is (great|helpful|perfect))|see (you|ya)|"
    r"talk (to you )?later|have a (good|nice|great) (day|one|evening|weekend))\b"
)
_GREETING_WORDS = word_set(
    "hi hello hey heya hiya howdy yo hallo hola greetings morning afternoon evening sup"
)
_THANKS_WORDS = word_set(
    """thanks thank thx ty tysm tx cheers ta appreciated appreciate ok okay k kk cool great
    awesome perfect nice noted understood gotcha brilliant lovely sweet super excellent
    fantastic wonderful helpful bye goodbye cya later yes yep yeah yup no nope right alright
    fine good sure"""
)
#: Words that may surround a greeting or a thanks without making it a question.
_SOCIAL_FILLER = word_set(
    """there onramp bot team everyone all folks again guys mate friend you so very much lot
    a and oh well just really that this the for"""
)
_EMOJI_CODE = re.compile(r":[a-z0-9_+-]+:")


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk", "Mn", "Cf") or char in "\u200d\ufe0f"


def _social(text: str) -> IntentKind | None:
    """GREETING or THANKS when ``text`` is nothing but small talk with the bot, else None."""
    lowered = _EMOJI_CODE.sub(" :emoji: ", text.lower().replace("’", "'"))
    greeting = bool(_GREETING_PHRASES.search(lowered))
    thanks = bool(_THANKS_PHRASES.search(lowered))
    rest = _THANKS_PHRASES.sub(" ", _GREETING_PHRASES.sub(" ", lowered))
    emoji = ":emoji:" in rest or any(_is_emoji(c) for c in rest)
    tokens = re.findall(r"[a-z0-9']+", rest.replace(":emoji:", " "))
    if any(t not in _GREETING_WORDS | _THANKS_WORDS | _SOCIAL_FILLER for t in tokens):
        return None
    if any(c.isalnum() for c in "".join(rest.split()) if not c.isascii()):
        return None  # letters of another script: not ours to judge
    greeting = greeting or any(t in _GREETING_WORDS for t in tokens)
    thanks = thanks or emoji or any(t in _THANKS_WORDS for t in tokens)
    if thanks:
        return IntentKind.THANKS
    return IntentKind.GREETING if greeting else None


def looks_like_noise(text: str, known: Callable[[str], bool]) -> bool:
    """Whether ``text`` holds no question at all: no letters (a stray key press "\\x1b[1~", "???",
    "42"), or not one word of two letters or more that ``known`` accepts (random letters:
    "asdfgh qwzx"). ``known`` says whether a lower-case word is English or the blueprint's.

    Text in another script is not judged here (retrieval refuses what it cannot match).
    """
    tokens = [w for w in words(text) if any(c.isalpha() for c in w)]
    if not tokens:
        return not any(c.isalpha() for c in text)
    return not any(len(w) >= 2 and known(w) for w in tokens)


def _off_topic(text: str) -> tuple[str, str] | None:
    for topic, pattern in _OFF_TOPIC.items():
        match = pattern.search(text)
        if match and not (topic != "coding_help" and _ON_TOPIC_GUARD.search(text)):
            return topic, match.group(0)
    return None


def is_question(sentence: str) -> bool:
    """Whether a sentence asks or supposes rather than tells: it ends in "?" or opens like a
    question or a condition ("what …", "should I …", "if …", "once …")."""
    text = sentence.strip()
    return text.endswith("?") or bool(_QUESTION_START.match(text))


def _update(text: str) -> Intent | None:
    """A status update stated in one of the message's sentences, or ``None``.

    Only statements update ("I finished X.", "Mark X as done", "Done with X"); a question or a
    conditional clause about a milestone never does.
    """
    for raw in _SENTENCE.findall(text):
        polite = _POLITE_MARK.match(raw)
        sentence = (raw[polite.end() :].rstrip(" ?") if polite else raw).strip()
        if not sentence or is_question(sentence):
            continue
        for status, pattern in _UPDATE:
            match = pattern.search(sentence)
            if match and not _SUBORDINATE.search(sentence[: match.start()]):
                subject = next((g for g in match.groupdict().values() if g), "")
                return Intent(IntentKind.UPDATE, status=status, subject=subject.strip(" .!?\"'"))
        bare = _BARE_DONE.match(sentence)
        if bare:
            subject = bare.group("x").strip(" .!?\"'")
            return Intent(IntentKind.UPDATE, status=MilestoneStatus.DONE, subject=subject)
    return None


def classify(
    question: str, plan: Plan | None = None, *, things: frozenset[str] = frozenset()
) -> Intent:
    """Decide what ``question`` is about (see :class:`IntentKind`).

    ``things`` are lower-case words the blueprint writes capitalised (Docker, Jupyter, Python):
    tools and topics, so "Is Docker doing OK in the stack?" is not about a person called Docker.
    """
    text = " ".join(question.split())
    social = _social(text)
    if social is not None:
        return Intent(social)
    other = _other_person(text, things)
    if other:
        return Intent(IntentKind.OTHER_PERSON, subject=other)
    first_person = bool(_FIRST_PERSON.search(text))
    update = _update(text)
    if update is not None:
        return update
    for pattern, certain_topic in _CERTAIN_OFF_TOPIC:
        cue = pattern.search(text)
        if cue:
            return Intent(IntentKind.OFF_TOPIC, topic=certain_topic, cue=cue.group(0), certain=True)
    topic = _off_topic(text)
    if topic:
        return Intent(IntentKind.OFF_TOPIC, topic=topic[0], cue=topic[1])
    phase = phase_of(text, plan)
    if not first_person:
        # "What's left for day 60?" is about the asker even without "my".
        if phase and re.search(
            r"\b(what'?s|what is|anything) (left|remaining|still open)\b", text, re.I
        ):
            return Intent(IntentKind.REMAINING, phase_id=phase)
        return Intent(IntentKind.BLUEPRINT)
    if _PROGRESS.search(text):
        return Intent(IntentKind.PROGRESS, phase_id=phase)
    if _REMAINING.search(text) and (phase or re.search(r"\bmy\b", text, re.I) or _NOW.search(text)):
        return Intent(IntentKind.REMAINING, phase_id=phase)
    if _FOCUS.search(text) and (_NOW.search(text) or not phase):
        # "what should I focus on in my first month?" names a phase of the role: blueprint.
        if phase and not re.search(r"\bmy\b", text, re.I):
            return Intent(IntentKind.BLUEPRINT)
        return Intent(IntentKind.FOCUS, phase_id=phase)
    return Intent(IntentKind.BLUEPRINT)


@dataclass(frozen=True)
class MilestoneMatch:
    """A milestone that a free-text subject may refer to, with how well it matches."""

    milestone_id: str
    title: str
    score: float


def match_milestones(
    subject: str, plan: Plan, *, prefer: Sequence[str] = (), limit: int = 3
) -> list[MilestoneMatch]:
    """Milestones whose words best cover ``subject`` ("the eval harness task"), best first.

    A milestone id typed as is wins outright. ``prefer`` (e.g. the current phase's milestones)
    breaks ties.
    """
    lowered = subject.lower().strip()
    for phase in plan.phases:
        for milestone in phase.milestones:
            if milestone.id in lowered.split():
                return [MilestoneMatch(milestone.id, milestone.title, 1.0)]
    wanted = {t for t in terms(subject) if t not in {"task", "milestone", "goal", "item", "work"}}
    if not wanted:
        return []
    found: list[MilestoneMatch] = []
    for phase in plan.phases:
        for milestone in phase.milestones:
            have = set(terms(f"{milestone.title} {milestone.detail or ''} {milestone.id}"))
            overlap = len(wanted & have) / len(wanted)
            if overlap > 0:
                bonus = 0.01 if milestone.id in prefer else 0.0
                found.append(MilestoneMatch(milestone.id, milestone.title, overlap + bonus))
    found.sort(key=lambda m: -m.score)
    return found[:limit]


__all__ = [
    "Intent",
    "IntentKind",
    "MilestoneMatch",
    "classify",
    "looks_like_noise",
    "match_milestones",
    "phase_of",
]
