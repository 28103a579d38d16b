"""Prompt intents and synthetic responses.

An intent returns (text, kind, topic, out_tokens).  `respond(kind, ...)` turns
that into a response string whose length follows out_tokens (stored responses
are truncated at RESP_CAP characters; outputTokens keeps the full length).
"""
import json

import bank
from bank import ch, fill, T, compile_t

RESP_CAP = 900
HIST_CAP = 400


def tok(s):
    return len(s) // 4 + 1


def ri(r, lo, hi):
    return lo + int(r.random() * (hi - lo + 1))


def lnorm(r, median, sigma=0.5):
    return max(1, int(median * r.lognormvariate(0.0, sigma)))


# ============================================================ casual intents
# (template, out_lo, out_hi, kind)
_CASUAL = [
    ("what can i make for dinner with {ingr}, {ingr2} and {ingr3}?", 150, 500, "list"),
    ("Give me a {diet} recipe for {dish} that serves {n2}.", 250, 700, "list"),
    ("How long should I {cookverb} {ingr} for? It's about {n100} grams.", 60, 220, "chat"),
    ("can I substitute {ingr} with {ingr2} in {dish}?", 60, 250, "chat"),
    ("Plan a {n2}-day {diet} meal plan under {price} a week.", 400, 1100, "list"),
    ("I'm going to {city} for {n2} days in {month}. What should I see?", 250, 800, "list"),
    ("Plan a {n2}-day itinerary for {city} with {companion}. We like {hobby} and {hobby2}.", 400, 1200, "list"),
    ("Is it better to visit {city} or {city2} in {month}?", 150, 450, "chat"),
    ("what's the cheapest way to get from {city} to {city2}", 100, 350, "chat"),
    ("What should I pack for a {tripkind} trip to {country} in {month}?", 200, 500, "list"),
    ("Write a {tone} email to my {relation} asking for {request}.", 120, 350, "chat"),
    ("Help me write a cover letter for a {job} position at {company}. I have {n2} years of experience in {field}.", 300, 650, "chat"),
    ("Write a short poem about {thing} in the style of {poetstyle}.", 60, 250, "chat"),
    ("Write a bedtime story for a {n2}-year-old about a {animal} who {storyact}.", 300, 900, "chat"),
    ("Make this sound more professional: \"hey so i cant make it to the {event} thing, something came up with my {relation}\"", 40, 120, "chat"),
    ("Write a toast for my {relation}'s {event}. Keep it under {n100} words.", 150, 450, "chat"),
    ("give me {n2} caption ideas for an instagram post about {hobby}", 80, 250, "list"),
    ("Explain {concept} like I'm {age}.", 150, 500, "chat"),
    ("What's the difference between {pair}?", 120, 450, "chat"),
    ("why does {phenom}?", 100, 400, "chat"),
    ("How does {techthing} work?", 150, 500, "chat"),
    ("Who was {figure} and why are they important?", 150, 500, "chat"),
    ("Summarize the causes of {hevent} in a few bullet points.", 150, 450, "list"),
    ("My {relation} and I keep arguing about {argtopic}. How should I approach it?", 200, 550, "chat"),
    ("How do I ask my boss for a raise after {n2} years?", 200, 550, "list"),
    ("I have had {symptom} for {n2} days, should I see a doctor?", 120, 380, "chat"),
    ("What's a good {fitness} routine for a beginner who has {n10} minutes a day?", 200, 600, "list"),
    ("How can I save {price} by {month}?", 200, 500, "list"),
    ("Is it worth buying a {product} in {year}?", 150, 450, "chat"),
    ("Compare the top {product} options for {usecase}.", 250, 700, "list"),
    ("My {pet} keeps {petprob}. What should I do?", 150, 450, "list"),
    ("How do I fix a {diyprob}?", 150, 500, "list"),
    ("give me {n2} gift ideas for my {relation} who likes {hobby}, budget {price}", 150, 400, "list"),
    ("Tell me a joke about {thing}", 20, 80, "chat"),
    ("Recommend {n2} {genre} movies like {movie}", 120, 350, "list"),
    ("What are some good books about {topic}?", 120, 350, "list"),
    ("Create a {n2}-question quiz about {topic} for my {relation}", 200, 600, "list"),
    ("Give me a fun fact about the {animal}", 30, 120, "chat"),
    ("Help me name my new {pet}, it's {color}.", 50, 150, "list"),
    ("How do you say '{phrase}' in {lang}?", 20, 80, "chat"),
    ("Teach me {n2} useful {lang} phrases for {situation}", 120, 350, "list"),
    ("Write an Excel formula that {excel}", 60, 250, "chat"),
    ("Turn these notes into a {doctype}: {fullname} owns the budget, launch moved to {month}, need {n2} more testers, vendor in {city} is late", 150, 450, "list"),
    ("what does {concept} actually mean for someone like me", 120, 400, "chat"),
    ("Is {city} safe for solo travel?", 120, 350, "chat"),
    ("How much should I tip in {country}?", 50, 180, "chat"),
    ("write a text to my {relation} saying sorry for {argtopic}", 40, 120, "chat"),
    ("Can you explain the rules of {hobby}? lol", 150, 400, "chat"),
    ("Help me plan a {event} for about {n10} people on a budget of {price}", 250, 700, "list"),
    ("What's a good name for a {hobby} club?", 30, 120, "list"),
    ("draft a polite complaint to {company} about a {product} that broke after {n2} weeks", 150, 350, "chat"),
    ("rewrite my bio for a dating app. i like {hobby}, {hobby2} and my {pet}", 60, 180, "chat"),
    ("How do I get better at {hobby}?", 150, 450, "list"),
    ("What are the pros and cons of living in {city}?", 200, 500, "list"),
    ("Explain the plot of {movie} without spoilers", 100, 250, "chat"),
    ("Summarize this for me: {doc}", 80, 250, "summary"),
    ("Can you check this paragraph for grammar? {doc}", 80, 300, "chat"),
    ("I need a {n2}-week study plan for learning {lang}", 300, 800, "list"),
    ("Write a LinkedIn post announcing that I started as a {job} at {company}", 100, 250, "chat"),
    ("What are good stretches for {symptom}?", 120, 350, "list"),
    ("Give me a packing list for {n2} days in {city}", 150, 400, "list"),
]
CASUAL_T = [(compile_t(t), lo, hi, k) for t, lo, hi, k in _CASUAL]

_FOLLOW = T([
    "can you make it shorter?", "what about {city} instead?", "thanks! and for {n2} people?", "why?",
    "can you give another example", "translate that into {lang}", "make it more {tone}", "ok now in bullet points",
    "hmm that's not quite right", "what would you recommend for a beginner?", "and how much would that cost roughly?",
    "can you explain step 2 again", "great, thanks!", "add something about {hobby}", "less formal please",
    "What if I only have {n10} minutes?", "is there a vegetarian option?", "ok but what about {concept}?",
    "give me 3 more", "can you cite sources?", "does that work in {country} too?", "make it rhyme",
    "how would you say that to a {age}?", "thanks. one more thing - {phrase}?", "summarize all of that in one line",
    "I tried that and it didn't work", "what's the second option in more detail?", "expand on the last point",
])

# ============================================================ developer intents
_DEV = [
    ("How do I {devtask} in {plang}?", 150, 600, "code"),
    ("I'm getting this error in my {framework} app:\n\n```\n{errmsg}\n```\n\nWhat does it mean and how do I fix it?", 150, 500, "code"),
    ("Why does this code {bugsym}?\n\n```\n{snip}\n```", 150, 550, "code"),
    ("Write a {plang} function that {coding_task}.", 250, 900, "code"),
    ("Convert this to {plang}:\n```\n{snip}\n```", 150, 500, "code"),
    ("Write a SQL query to {sqltask}. Tables: {table}, {table2}.", 100, 350, "code"),
    ("Write a regex that matches {regex}.", 60, 200, "code"),
    ("Explain what this does:\n```\n{snip}\n```", 120, 400, "chat"),
    ("Write unit tests for this:\n```\n{snip}\n```", 250, 700, "code"),
    ("docker compose file for {stack}", 200, 500, "code"),
    ("How do I configure {toolname} to {confgoal}?", 120, 400, "code"),
    ("What's the best way to structure a {projtype} in {framework}?", 250, 700, "list"),
    ("Refactor this to be more readable:\n```\n{snip}\n```", 150, 500, "code"),
    ("{errmsg}", 120, 400, "code"),
    ("is {framework} or {framework2} better for a {projtype}?", 200, 500, "list"),
    ("write a bash one-liner to find all files larger than {n100}MB modified in the last {n2} days", 40, 150, "code"),
    ("Code review please, be harsh:\n```\n{snip}\n```", 200, 600, "list"),
    ("what's the time complexity of this?\n```\n{snip}\n```", 60, 250, "chat"),
    ("Write a GitHub Actions workflow that runs {toolname} on every PR", 150, 400, "code"),
    ("Generate a commit message for: renamed {cls}, fixed {bugsym} bug in {fn}", 20, 60, "chat"),
]
DEV_T = [(compile_t(t), lo, hi, k) for t, lo, hi, k in _DEV]
bank.SLOT["snip"] = lambda r: bank.snippet(r, ch(r, ["Python", "Python", "JavaScript", "Go", "SQL"]))
bank.SLOT["doc"] = lambda r: bank.paragraph(r, ri(r, 2, 5))

# ============================================================ homework (human phrasing)
_HW_WRAP = T([
    "{p}", "{p} show your steps", "{p}\nshow your work please", "help me with this: {p}",
    "can you explain how to solve this step by step? {p}", "I got {g} for this, is it right? {p}",
    "{p} (explain each step, my teacher wants the working)", "how do i do this one\n{p}",
    "Solve step by step: {p}", "{p} I don't get it",
])


def homework_text(r, problem=None):
    p, ans = problem or bank.math_problem(r)
    return fill(ch(r, _HW_WRAP), r, {"p": p, "g": str(ri(r, 2, 99))}), ans


# ============================================================ responses
_RESP_OPEN = T([
    "Sure! Here's what I'd suggest for {x}.", "Great question.", "Here are a few ideas.",
    "Good news: this is easier than it looks.", "There are a few ways to think about {x}.",
    "Happy to help with {x}.", "Short answer: it depends, but here's a practical approach.",
    "Absolutely - let's break {x} down.", "Here's a clear overview of {x}.", "Got it.",
])
_RESP_SENT = T([
    "The most important factor is usually timing, so start with that.",
    "A good rule of thumb is to plan for about {pct}% more than you expect.",
    "Many people in {city} swear by doing this early in the morning.",
    "If you're on a budget, aim for roughly {price} and adjust from there.",
    "It helps to write down what you already know before deciding.",
    "You can always revisit this after a couple of weeks and compare.",
    "Keep in mind that conditions vary, so treat this as a starting point.",
    "The trade-off is mostly between cost and convenience.",
    "This works best when you're consistent about it for {n2} weeks or more.",
    "Be careful not to overdo it at the beginning.",
    "Experts generally recommend checking with a professional if things don't improve.",
    "In practice, the difference is smaller than most people think.",
    "The simplest option is often the most reliable one.",
    "Try it once, note what went well, and iterate.",
    "Local guides in {city} often mention this as a highlight.",
    "For {x}, the key is to balance effort with what you actually enjoy.",
    "{fullname} put it well: start small and stay curious.",
    "Historically, this came about because of {driver}.",
    "That said, your situation may be different, so adapt as needed.",
    "The numbers suggest a {adj} improvement over the usual approach.",
    "A common mistake is skipping the preparation step.",
    "If you tell me more about your constraints I can tailor this further.",
])
_RESP_ITEM = T([
    "**{hobby}** - a relaxed option that suits most people.", "**Option {n2}:** combine {ingr} with {ingr2} for a quick win.",
    "Visit {city} early, before the crowds arrive.", "Set aside {n10} minutes each day for practice.",
    "Compare prices at two or three places before buying.", "Ask your {relation} for a second opinion.",
    "Check the {month} schedule - things change seasonally.", "Keep a simple log of {metric}.",
    "Use a checklist so nothing gets forgotten.", "Start with the basics of {concept}.",
    "Budget around {price} for this part.", "Try {dish} as a crowd-pleaser.",
    "Look for a {adj} alternative if the first choice is unavailable.", "Book at least {n2} weeks in advance.",
])
_STEP = T([
    "Identify what is given: the quantities in the problem are {a} and {b}.",
    "Write the relationship as an equation in terms of the unknown.",
    "Substitute the known values: {a} and {b} go into the expression.",
    "Simplify both sides; combining like terms gives a single equation.",
    "Isolate the unknown by moving the constant term to the other side.",
    "Check the units so the result is consistent.",
    "Compute the intermediate value: {a} x {b} = {c}.",
    "Consider the complementary case and subtract it from the total.",
    "Apply the formula and keep full precision until the final step.",
    "Verify by plugging the result back into the original statement.",
    "Split the problem into two parts and handle each separately.",
    "Note the constraint, which rules out one of the cases.",
    "Rewrite the expression to make the pattern visible.",
    "Sum the contributions from each part: {c} in total before adjustment.",
])
_CODE_EXPL = T([
    "This version handles the empty case explicitly.", "The loop runs once per element, so the complexity is O(n).",
    "I used a dictionary for constant-time lookups.", "Note the off-by-one fix in the loop bound.",
    "You could also use a generator here to save memory.", "Make sure to add a test for the edge case with {n2} items.",
    "The main issue was mutating shared state.", "Using a context manager ensures the file is closed.",
    "Error handling is centralised so failures are easier to debug.", "Sorting first makes the two-pointer approach possible.",
])
_ML_RESP_OPEN = {"es": "Claro, aquí tienes.", "de": "Gerne, hier ist ein Vorschlag.", "fr": "Bien sûr, voici.",
                 "pt": "Claro, aqui vai.", "ja": "もちろんです。", "zh": "好的，以下是建议。", "ru": "Конечно, вот ответ.",
                 "ko": "네, 알려드릴게요.", "hi": "ज़रूर, यह रहा।", "ar": "بالتأكيد، إليك الإجابة."}


def _grow(r, parts, cap, pool, ctx=None, sep=" "):
    n = sum(len(p) for p in parts)
    while n < cap:
        s = fill(ch(r, pool), r, ctx)
        parts.append(s)
        n += len(s) + 1
    return sep.join(parts)


def respond(r, kind, topic, out_tok, lang=None, extra=None):
    cap = min(RESP_CAP, out_tok * 4)
    if lang and lang in _ML_RESP_OPEN and kind in ("chat", "list", "steps", "summary"):
        return _ML_RESP_OPEN[lang] + " " + bank.foreign_text(r, lang, max(4, cap // 6))
    ctx = {"x": topic or "this"}
    if kind == "chat":
        return _grow(r, [fill(ch(r, _RESP_OPEN), r, ctx)], cap, _RESP_SENT, ctx)
    if kind == "list":
        out = [fill(ch(r, _RESP_OPEN), r, ctx), ""]
        i = 1
        n = len(out[0])
        while n < cap:
            s = "%d. %s" % (i, fill(ch(r, _RESP_ITEM), r, ctx))
            if r.random() < 0.4:
                s += " " + fill(ch(r, _RESP_SENT), r, ctx)
            out.append(s)
            n += len(s) + 1
            i += 1
        return "\n".join(out)
    if kind == "steps":
        ans = (extra or {}).get("answer", "see above")
        out = []
        i = 1
        n = 0
        c2 = cap - 40
        while n < c2:
            sctx = {"a": str(ri(r, 2, 90)), "b": str(ri(r, 2, 90)), "c": str(ri(r, 10, 9000))}
            s = "Step %d: %s" % (i, fill(ch(r, _STEP), r, sctx))
            out.append(s)
            n += len(s) + 1
            i += 1
        out.append("**Final answer:** %s" % ans)
        return "\n".join(out)
    if kind == "code":
        lang = (extra or {}).get("plang") or ch(r, ["Python", "Python", "JavaScript", "Go"])
        tag = lang.lower().replace("#", "sharp").replace("++", "pp")
        parts = [fill(ch(r, _RESP_OPEN), r, ctx), "\n\n```%s\n" % tag]
        n = 40
        while n < cap * 0.7:
            s = bank.snippet(r, lang)
            parts.append(s + "\n\n")
            n += len(s)
        parts.append("```\n\n")
        parts.append(_grow(r, [], max(60, cap - n), _CODE_EXPL, ctx))
        return "".join(parts)
    if kind == "summary":
        return _grow(r, [], cap, bank._DOC_SENT)
    if kind == "short":
        return (extra or {}).get("text", "OK")
    if kind == "json":
        return json.dumps((extra or {}).get("obj", {}), ensure_ascii=False)
    if kind == "translate":
        return bank.foreign_text(r, (extra or {}).get("tl", "es"), max(5, cap // 6))
    if kind == "score":
        sc = (extra or {}).get("scale", 10)
        s = "Score: %d/%d\n\n" % (ri(r, 1, sc), sc)
        return s + _grow(r, ["Justification:"], cap - len(s), _CRIT)
    return _grow(r, [], cap, _RESP_SENT, ctx)


_CRIT = T([
    "The response addresses the main question but omits {n2} relevant details.",
    "Factual accuracy is high; the figure for {metric} is correct.",
    "The reasoning is mostly sound, though step {n2} makes an unjustified leap.",
    "Tone is appropriate for the audience.", "The answer is concise and well organised.",
    "It fails to mention an important edge case.", "Formatting follows the requested structure.",
    "The explanation of {concept} is clear and correct.", "There is a minor arithmetic slip in the final line.",
    "Criterion {n2} (helpfulness) is fully satisfied.", "The response is verbose relative to the request.",
    "Safety: no issues found.", "The code compiles but does not handle empty input.",
])


# ============================================================ helpers for text noise / habits
def typo(r, s):
    if len(s) < 12:
        return s
    i = ri(r, 1, len(s) - 3)
    if s[i].isalpha() and s[i + 1].isalpha():
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s


def humanize(r, s, habits):
    lower, sloppy, polite = habits
    if polite and r.random() < 0.5:
        s = ch(r, bank.PROMPT_PREFIX) + s
    if r.random() < 0.35:
        s = s + ch(r, bank.PROMPT_SUFFIX)
    if lower:
        s = s.lower()
    if sloppy and r.random() < 0.5:
        s = typo(r, s)
    return s


def casual_prompt(r):
    ct, lo, hi, kind = ch(r, CASUAL_T)
    ctx = {}
    s = fill(ct, r, ctx)
    topic = next(iter(ctx.values()), "this")
    return s, kind, topic, ri(r, lo, hi)


def dev_prompt(r, plang=None):
    ct, lo, hi, kind = ch(r, DEV_T)
    ctx = {"plang": plang} if plang else {}
    s = fill(ct, r, ctx)
    return s, kind, ctx.get("framework") or ctx.get("plang") or "this code", ri(r, lo, hi), ctx.get("plang")


def follow_prompt(r):
    return fill(ch(r, _FOLLOW), r)


def trim_hist(s):
    return s if len(s) <= HIST_CAP else s[:HIST_CAP] + "…"
