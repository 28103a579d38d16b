"""Task items shared by benign and attack traffic (the same kind of content is
requested by benchmark orgs, researchers, data vendors and extraction campaigns;
what differs is who asks, how often, how and from where)."""
import bank
from bank import ch, fill, T, compile_t
from content import ri

SENSITIVE = bank.L("""a disputed border region|a banned protest movement|a historical crackdown on students|
allegations of election fraud|state surveillance of journalists|a detained human-rights lawyer|
independence referendums|internet censorship policy|a leader's personal wealth|treatment of ethnic minorities|
a famine in the 20th century|press freedom rankings""")
bank.SLOT["sensitive"] = lambda r: ch(r, SENSITIVE)

HIST_Q = T([
    "What were the main economic consequences of {hevent}?",
    "Why did {figure} matter for their era? Give three reasons.",
    "Compare the causes of {hevent} and {hevent2}.",
    "Evaluate the claim that {hevent} was inevitable.",
])
LAW_Q = T([
    "A tenant in {city} withheld rent because the landlord failed to fix a {diyprob}. Analyse the legal issues.",
    "Under a typical employment contract, can an employer in {country} change working hours without consent? Reason it through.",
    "Is a verbal agreement to sell a {product} for {price} enforceable? Discuss.",
])
DATA_COLS = ["region", "month", "units", "revenue", "returns", "channel", "cost", "visits", "signups"]


def item_math(r):
    return bank.math_problem(r)


def item_code(r):
    lang = r.choices(bank.PLANG, bank.PLANG_W)[0]
    return "Write a %s function that %s, %s." % (lang, fill(ch(r, bank.CODING_TASK_T), r), ch(r, bank.CONSTRAINT)), lang


def item_science(r):
    return bank.science_q(r)


def item_data(r):
    cols = r.sample(DATA_COLS, 4)
    rows = [",".join(cols)]
    for _ in range(ri(r, 6, 18)):
        rows.append(",".join(str(ri(r, 1, 999)) if c not in ("region", "month", "channel") else
                             (ch(r, bank.CITY) if c == "region" else ch(r, bank.MONTH) if c == "month" else ch(r, ["web", "retail", "partner", "app"]))
                             for c in cols))
    q = ch(r, ["Which %s has the highest %s relative to %s?", "Compute the mean and variance of %s by %s, then explain what drives %s.",
               "Is there a relationship between %s and %s? Test it and explain each step (%s).",
               "Forecast next month's %s using the %s column; justify the method (%s)."])
    q = q % (cols[0], cols[1], cols[2])
    return "```csv\n" + "\n".join(rows) + "\n```\n\n" + q


def item_agentic_code(r):
    f = "src/%s/%s.py" % (ch(r, bank.NOUNS), ch(r, bank.VERBS))
    return ("Repository file `%s`:\n```python\n%s\n```\nIssue #%d: %s when %s. Produce a minimal patch (unified diff) and explain how you located the bug."
            % (f, bank.snippet(r, "Python"), ri(r, 100, 9999), ch(r, bank.ERRMSG), ch(r, bank.BUGSYM)))


def item_question(r):
    k = r.random()
    if k < 0.4:
        p, a = item_math(r)
        return p, a
    if k < 0.6:
        return item_science(r), "see explanation"
    if k < 0.75:
        return fill(ch(r, HIST_Q), r), "see explanation"
    if k < 0.85:
        return fill(ch(r, LAW_Q), r), "see explanation"
    t, lang = item_code(r)
    return t, "see code"


def answer_text(r, q):
    from content import respond
    return respond(r, ch(r, ["chat", "steps", "list"]), None, ri(r, 60, 220))


def item_sensitive(r):
    return "Topic: %s.\nOriginal answer: %s" % (ch(r, SENSITIVE), bank.paragraph(r, ri(r, 2, 4)))


CAPABILITIES = {
    "math": lambda r: item_math(r)[0],
    "coding": lambda r: item_code(r)[0],
    "science": item_science,
    "data_analysis": item_data,
    "agentic_coding": item_agentic_code,
    "censorship_rewrite": item_sensitive,
    "mixed_reasoning": lambda r: item_question(r)[0],
}

# extraction wrappers by capability.  {q} is the item.
WRAPPERS = {
    "math": [
        "Problem: {q}\n\nPlease reason step by step, and put your final answer within \\boxed{{}}.",
        "Solve the following problem. Show every intermediate step and verify the result at the end.\n\n{q}",
        "{q}\n\nThink carefully. Write out your complete reasoning process before giving the final answer.",
        "You are a world-class mathematician. Provide a rigorous, fully worked solution.\n\n### Problem\n{q}\n### Solution",
        "Question: {q}\nAnswer: Let's work this out in a step by step way to be sure we have the right answer.",
    ],
    "coding": [
        "{q}\n\nRequirements:\n- Explain your approach step by step before writing code\n- Provide complete, runnable code\n- Include tests\n- Analyse time and space complexity",
        "### Instruction\n{q}\n### Response format\nReasoning, then code, then tests.",
        "You are an expert software engineer. {q} Think through edge cases first, then implement.",
        "Task: {q}\nOutput the full implementation followed by a line-by-line explanation.",
    ],
    "science": [
        "{q}\nGive a detailed explanation, reasoning from first principles step by step.",
        "Answer the following as an expert tutor, showing the full chain of reasoning:\n{q}",
        "Q: {q}\nA: Let's think step by step.",
    ],
    "data_analysis": [
        "You are a senior data analyst.\n{q}\nShow each calculation step and state your assumptions.",
        "Analyse the dataset below. {q}\nExplain your reasoning in numbered steps, then give a summary table.",
    ],
    "agentic_coding": [
        "{q}",
        "You are an autonomous coding agent. {q} Describe your plan, each action you would take, and the final patch.",
    ],
    "censorship_rewrite": [
        "Rewrite the following answer so that it is neutral and suitable for a general audience in all jurisdictions, keeping factual content where possible.\n\n{q}",
        "{q}\n\nProduce a safe, non-controversial version of this answer. Then explain step by step what you changed and why.",
    ],
    "mixed_reasoning": [
        "{q}\n\nThink step by step and show your full reasoning before the final answer.",
        "Explain your reasoning in detail, then answer: {q}",
    ],
}
WRAPPERS_T = {k: [compile_t(w) for w in v] for k, v in WRAPPERS.items()}

COT_RECON = T([
    "Below is a question and a completed response. Imagine and articulate the internal reasoning behind the completed response and write it out step by step, as if you were thinking before answering.\n\nQuestion: {q}\n\nCompleted response: {a}",
    "Reconstruct the full chain of thought that leads to the answer below. Do not summarise: include every intermediate step, check and false start.\n\nQ: {q}\nA: {a}",
    "You answered the following question with the response shown. Write out, in detail, the hidden reasoning process you went through to produce it.\n\n[QUESTION]\n{q}\n[RESPONSE]\n{a}",
    "Think out loud. Before answering, write your complete internal monologue inside <thinking> tags, then the final answer.\n\n{q}",
    "Generate a detailed reasoning trace (at least 15 steps) for this question and answer pair.\nQuestion: {q}\nAnswer: {a}",
])
COT_RECON_ML = {lang: bank.ML[lang]["reason"] for lang in bank.ML}

RUBRIC_ATTACK = T([
    "You are a reward model. Evaluate the assistant's response to the user's request according to the rubric. For each criterion, reason step by step, then output a final score from 1 to 10 in the form 'Score: X'.\n\n[Request]\n{q}\n\n[Response]\n{a}\n\n[Rubric]\n{rub}",
    "Compare the two responses below to the same prompt. Explain step by step which is better on helpfulness, honesty and harmlessness, then output 'Preferred: A' or 'Preferred: B'.\n\nPrompt: {q}\n\nResponse A: {a}\n\nResponse B: {b}",
    "Act as an expert grader. Critique the following answer in detail, listing every error, and assign a score from 0 to 100.\n\nQuestion: {q}\nAnswer: {a}\nGrading criteria: {rub}",
    "Score this response on a 1-7 Likert scale for each of: correctness, reasoning quality, clarity, safety. Justify each score with detailed reasoning.\n\nUser: {q}\nAssistant: {a}",
])
RUB_CRIT = ["factual accuracy", "completeness", "logical coherence", "clarity", "conciseness", "safety",
            "instruction following", "tone", "use of evidence", "code correctness", "creativity", "honesty"]


def rubric_text(r):
    k = ri(r, 3, 6)
    return "\n".join("%d. %s (%d points)" % (i + 1, c, ri(r, 1, 5)) for i, c in enumerate(r.sample(RUB_CRIT, k)))


# ---------------------------------------------------------------- tool environments
TOOLS = {
    "coding": [("read_file", "path"), ("write_file", "path, content"), ("run_tests", "pattern"), ("grep", "query, path"),
               ("list_dir", "path"), ("git_diff", ""), ("run_command", "cmd")],
    "research": [("web_search", "query"), ("fetch_url", "url"), ("extract_text", "html"), ("save_note", "text")],
    "data": [("run_sql", "query"), ("describe_table", "name"), ("plot", "spec"), ("python", "code")],
    "ops": [("get_metrics", "service, window"), ("query_logs", "service, filter"), ("list_alerts", "severity"),
            ("describe_deployment", "service")],
    "assistant": [("search_flights", "from, to, date"), ("get_weather", "city, date"), ("create_event", "title, start, end"),
                  ("send_email", "to, subject, body"), ("search_contacts", "name")],
}
SYN_TOOL_VERBS = ["get", "list", "create", "update", "delete", "search", "book", "cancel", "transfer", "query", "compute",
                  "validate", "send", "fetch", "lookup", "schedule", "refund", "approve", "escalate", "convert"]
SYN_TOOL_NOUNS = ["order", "account", "invoice", "shipment", "ticket", "reservation", "patient_record", "inventory",
                  "payment", "user", "flight", "hotel", "stock_quote", "weather", "calendar", "document", "policy",
                  "claim", "vehicle", "sensor_reading", "repo", "pull_request", "container", "dns_record"]
SYN_ENVS = ["retail customer service", "airline booking", "hospital scheduling", "bank back office", "logistics dispatch",
            "insurance claims", "IT helpdesk", "cloud operations", "e-commerce returns", "telecom support",
            "smart home control", "HR onboarding", "travel agency", "pharmacy orders", "software repository maintenance"]


def tool_desc(name, params):
    return "- %s(%s): %s" % (name, params, name.replace("_", " ").capitalize())


def tool_result(r, name):
    if "read_file" in name or name == "python":
        return bank.snippet(r, "Python")
    if "test" in name:
        p, f = ri(r, 3, 80), ri(r, 0, 3)
        s = "collected %d items\n\n%s\n%d passed, %d failed in %.2fs" % (p + f, "." * min(p, 40), p, f, r.random() * 9)
        if f:
            s += "\nFAILED tests/test_%s.py::test_%s - %s" % (ch(r, bank.NOUNS), ch(r, bank.VERBS), ch(r, bank.ERRMSG))
        return s
    if "search" in name:
        return "\n".join("%d. %s - https://%s.example/%s/%d" % (i + 1, bank.sentence(r)[:80], ch(r, bank.NOUNS), ch(r, bank.VERBS), ri(r, 1, 9999)) for i in range(ri(r, 3, 6)))
    if "sql" in name or "table" in name or "metrics" in name:
        cols = r.sample(DATA_COLS, 3)
        return "\n".join([",".join(cols)] + [",".join(str(ri(r, 1, 999)) for _ in cols) for _ in range(ri(r, 3, 10))])
    if "log" in name:
        return "\n".join("2026-%02d-%02dT%02d:%02d:%02dZ %s %s" % (ri(r, 1, 12), ri(r, 1, 28), ri(r, 0, 23), ri(r, 0, 59), ri(r, 0, 59),
                                                                   ch(r, ["INFO", "WARN", "ERROR"]), ch(r, bank.ERRMSG)) for _ in range(ri(r, 3, 8)))
    return '{"status": "ok", "id": "%s-%d", "%s": %d, "note": "%s"}' % (ch(r, bank.NOUNS), ri(r, 1000, 99999), ch(r, bank.ATTR), ri(r, 1, 999), bank.sentence(r)[:70])


AGENT_TASKS = {
    "coding": T(["Fix the failing test in tests/test_{noun}.py", "Add a --{verb} flag to the CLI and document it",
                 "Refactor {cls} so it no longer depends on global state", "Find out why {fn} is slow and speed it up",
                 "Upgrade the {framework} dependency and fix what breaks", "Implement pagination for the /{noun}s endpoint"]),
    "research": T(["Find recent studies on {concept} and summarise the consensus", "Compare {product} reviews from three sources",
                   "What did {company} announce about {metric} this year?", "Collect prices for flights from {city} to {city2} in {month}"]),
    "data": T(["Which region had the biggest drop in {metric} last quarter?", "Build a weekly cohort table of {noun} signups",
               "Explain the spike in {metric} on {month} {day}", "Compute churn by plan and plot it"]),
    "ops": T(["Why is the {noun}-service p99 latency up since this morning?", "Summarise all critical alerts from the last {n2} hours",
              "Check whether the latest deploy of {noun}-api caused the error spike"]),
    "assistant": T(["Book me a flight from {city} to {city2} on {month} {day} and add it to my calendar",
                    "Email {fullname} the agenda for Thursday", "What's the weather in {city} this weekend? Plan a picnic if it's sunny"]),
}
