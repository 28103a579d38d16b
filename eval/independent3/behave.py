"""Per-request content behaviours.  Each returns (model, prompt, messages, response, out_tokens);
exactly one of prompt / messages is set.  Benign and attack behaviours use the same banks."""
import math

import textgen as T
from textgen import cap

OT = {"chat": (150, .6), "explain": (420, .5), "steps": (650, .5), "code": (600, .6), "cot": (1900, .45), "rubric": (230, .4),
      "tool": (110, .5), "refuse": (60, .4), "transl": (90, .6), "label": (15, .5), "summary": (170, .4), "agent": (260, .7)}


def otok(rng, kind, resp):
    med, sig = OT[kind]
    return max(len(resp) // 4 + 1, int(med * math.exp(sig * rng.gauss(0, 1))))


def turn(a, new, user, resp, system=None, keep=4):
    st = a.st
    c = st.get("_cv")
    if new or c is None:
        c = st["_cv"] = []
    m = [{"role": "system", "content": system}] if system else []
    m.extend(c)
    m.append({"role": "user", "content": user})
    c.append({"role": "user", "content": cap(user, 500)})
    c.append({"role": "assistant", "content": cap(resp, 500)})
    if len(c) > keep:
        del c[:len(c) - keep]
    return m


FOLLOW = ["can you make it shorter?", "thanks! can you give another example?", "why?", "ok and what about the second part?",
          "explain that last step again", "more formal please", "now in bullet points", "that's wrong, check again",
          "can you do the same for {c}?", "great, thanks"]


def _model(W, a, t, rng):
    return W.pick_model(a.plan, t, rng)


# ------------------------------------------------------------------------------------------ benign

def chat(W, a, rng, t, new, mix=None):
    """general consumer chat in the account's language; multi-turn within sessions"""
    lang = a.lang
    if not new and rng.random() < 0.35:
        user = rng.choice(FOLLOW).format(c=rng.choice(T.CONCEPTS))
        resp = T.resp_chat(rng) if rng.random() < 0.5 else T.resp_explain(rng, rng.choice(T.CONCEPTS), 3)
        kind = "chat"
    else:
        x = rng.random()
        if lang != "en" and x < 0.55:
            if rng.random() < 0.6:
                user = rng.choice(T.CHAT_ML[lang]).format(a=rng.choice(T.FOODS), city=rng.choice(T.CITIES), msg=rng.choice(T.MSGS))
                resp, kind = T.resp_chat(rng), "chat"
            else:
                c = rng.choice(T.CONCEPTS)
                key = rng.choice(["explain", "steps", "why"])
                user = T.ML[lang][key].format(x=c)
                resp, kind = (T.resp_steps(rng), "steps") if key == "steps" else (T.resp_explain(rng, c), "explain")
        elif x < 0.36:
            user, resp, kind = T.Fill.casual(rng), T.resp_chat(rng), "chat"
        elif x < 0.50:
            user, resp, kind = T.Fill.writing(rng), T.resp_chat(rng, 5), "chat"
        elif x < 0.66:
            c = rng.choice(T.CONCEPTS)
            if rng.random() < 0.4:
                user, resp, kind = "Explain %s. %s" % (c, rng.choice(T.STEP_BENIGN)), T.resp_steps(rng), "steps"
            else:
                user, resp, kind = rng.choice(["what is %s", "explain %s simply", "how does %s work?", "ELI5 %s"]) % c, T.resp_explain(rng, c), "explain"
        elif x < 0.76:
            q, ans, _ = T.dataset_item("math-hw", rng.randrange(400000))
            user = q + (" " + rng.choice(T.STEP_BENIGN) if rng.random() < 0.6 else "")
            resp, kind = T.resp_steps(rng, ans), "steps"
        elif x < 0.83:
            user = "Summarize this in 3 sentences:\n\n" + T.passage(rng)
            resp, kind = T.resp_explain(rng, "the article", 3), "summary"
        elif x < 0.90:
            q, _, lg = T.dataset_item("code-hw", rng.randrange(100000))
            user, resp, kind = q, T.resp_code(rng, lg or "Python"), "code"
        elif x < 0.95:
            s = rng.choice(T.UI_STRINGS)
            user = "translate to %s: %s" % (rng.choice(T.TLANGS), s)
            resp, kind = T.resp_translation(rng, s, "xx"), "transl"
        else:
            q, ans, _ = T.dataset_item("logic-hw", rng.randrange(50000))
            user, resp, kind = q, T.resp_steps(rng, ans), "steps"
        if rng.random() < 0.08:
            user = T.paraphrase(rng, user, 0.6)
    model = _model(W, a, t, rng)
    sysp = a.meta.get("sys") if a.meta else None
    if a.meta and a.meta.get("prompt_api"):
        return model, (sysp + "\n\n" + user if sysp else user), None, resp, otok(rng, kind, resp)
    return model, None, turn(a, new, user, resp, sysp), resp, otok(rng, kind, resp)


DEV_SYS = ["You are a senior software engineer. Answer concisely with code.", "You are a helpful assistant.",
           "You are a coding assistant for our internal tools team. Prefer Python 3.11.", None, None]


def dev(W, a, rng, t, new):
    x = rng.random()
    if x < 0.3:
        q, _, lg = T.dataset_item("code-dev", rng.randrange(200000))
        user, resp, kind = q, T.resp_code(rng, lg or "Python"), "code"
    elif x < 0.5:
        lg = rng.choice(list(T.SNIPPETS))
        user = "Why does this fail?\n\n```\n%s```\n\nError: %s" % (T.SNIPPETS[lg].replace("{f}", rng.choice(T.CODE_DESC)[0]), rng.choice(T.ERRORS))
        resp, kind = T.resp_code(rng, lg), "code"
    elif x < 0.6:
        user = "Extract name, email and company as JSON from:\n%s <%s@%s.com>, %s" % (rng.choice(T.FIRST), rng.choice(T.FIRST).lower(), rng.choice(T.MODULES), rng.choice(T.COMPANIES_PUB))
        resp, kind = '{"name": "%s", "email": "...", "company": "..."}' % rng.choice(T.FIRST), "label"
    elif x < 0.7:
        c = rng.choice(T.CONCEPTS)
        user, resp, kind = "What's the difference between %s and %s in practice?" % (c, rng.choice(T.CONCEPTS)), T.resp_explain(rng, c), "explain"
    elif x < 0.75:
        user, resp, kind = rng.choice(["ping", "Say 'ok'.", "test", "Reply with the word pong.", "hello"]), "ok", "label"
    elif x < 0.85:
        q, ans, _ = T.dataset_item("math-dev", rng.randrange(100000))
        user, resp, kind = q + " " + rng.choice(T.STEP_BENIGN), T.resp_steps(rng, ans), "steps"
    else:
        user, resp, kind = "Write a regex / SQL / shell one-liner to " + rng.choice(T.CODE_DESC)[2], T.resp_code(rng, rng.choice(["SQL", "Python"])), "code"
    model = _model(W, a, t, rng)
    sysp = a.meta.get("sys") if a.meta else None
    if a.meta and a.meta.get("prompt_api"):
        return model, user, None, resp, otok(rng, kind, resp)
    return model, None, turn(a, new, user, resp, sysp, keep=2), resp, otok(rng, kind, resp)


def agent(W, a, rng, t, new, flavour=None, envs=("fs",)):
    """coding / computer agent: system with tools, history grows within a session"""
    st = a.st
    if new or "env" not in st:
        env = rng.choice(envs)
        st["env"] = env
        st["task"] = T.agent_task(rng, env)
        st["h"] = []
    env = st["env"]
    sysp = T.agent_system(env, flavour or a.meta.get("flavour", "You are a coding agent working in the user's repository."))
    h = st["h"]
    m = [{"role": "system", "content": sysp}, {"role": "user", "content": st["task"]}]
    m.extend(h)
    resp = T.resp_tool_call(rng, env) if rng.random() < 0.85 else "DONE. " + T.resp_explain(rng, "the change", 2)
    h.append({"role": "assistant", "content": cap(resp, 400)})
    h.append({"role": "tool", "content": T.tool_result(rng, env)})
    if rng.random() < 0.1:
        h.append({"role": "user", "content": rng.choice(["looks good, continue", "no, don't touch that file", "also update the docs", "run the tests again"])})
    if len(h) > 8:
        del h[:len(h) - 8]
    return _model(W, a, t, rng), None, m, resp, otok(rng, "agent", resp)


def cron(W, a, rng, t, new):
    """CI / regression job: same small prompt set every run, exact repeats"""
    st = a.st
    if "set" not in st:
        r = T.random.Random(T.hash_str(a.id))
        st["set"] = []
        for _ in range(r.randint(3, 12)):
            c = r.random()
            if c < 0.3:
                st["set"].append("Classify the sentiment (positive/negative/neutral) of: 'The %s is %s.'" % (r.choice(T.PRODUCTS), r.choice(T.REVIEW_ADJ)))
            elif c < 0.6:
                st["set"].append("Extract the invoice number and total as JSON: Invoice INV-%d total %d.%02d EUR due %d days" % (r.randint(1000, 9999), r.randint(10, 999), r.randint(0, 99), r.randint(7, 60)))
            elif c < 0.8:
                st["set"].append(T.dataset_item("code-ci", r.randrange(5000))[0])
            else:
                st["set"].append("Summarize in one sentence: " + T.passage(r, 3))
        st["i"] = 0
    p = st["set"][st["i"] % len(st["set"])]
    st["i"] += 1
    resp = rng.choice(['{"label": "positive"}', '{"invoice": "INV", "total": 0}', "OK", T.resp_chat(rng, 1)])
    return _model(W, a, t, rng), p, None, resp, otok(rng, "label", resp)


EVAL_FMT = ["Question: {q}\nAnswer:", "{q}\n\nLet's think step by step.", "Q: {q}\nA: Let's think step by step.",
            "Solve the following problem. Put the final answer in \\boxed{{}}.\n\n{q}", "{q}"]


def evalrun(W, a, rng, t, new):
    """benchmark runner: walks fixed item ranges of public-style datasets, repeats suites"""
    st = a.st
    m = a.meta
    if "c" not in st:
        st["c"] = 0
    ds, size = m["suite"][(st["c"] // m["size"]) % len(m["suite"])], m["size"]
    idx = st["c"] % size
    st["c"] += 1
    q, ans, lg = T.dataset_item(ds, idx)
    p = m["fmt"].format(q=q)
    if ds.startswith("code"):
        resp, kind = T.resp_code(rng, lg or "Python"), "code"
    elif ds.startswith("safety"):
        resp, kind = T.resp_refusal(rng), "refuse"
    else:
        resp, kind = T.resp_steps(rng, ans), "steps"
    model = _model(W, a, t, rng)
    if m.get("chat"):
        return model, None, [{"role": "user", "content": p}], resp, otok(rng, kind, resp)
    return model, p, None, resp, otok(rng, kind, resp)


def research(W, a, rng, t, new):
    """CoT research: reasoning-format prompts over datasets, several samples per item, perturbations"""
    st = a.st
    m = a.meta
    if "i" not in st or st["rep"] <= 0:
        st["i"] = m.get("rbase", m["base"]) + rng.randrange(m["span"])
        st["rep"] = rng.randint(1, m.get("reps", 5))
        st["f"] = rng.choice(T.COT_BENIGN_RESEARCH)
    st["rep"] -= 1
    q, ans, _ = T.dataset_item(m.get("rds", m["ds"]), st["i"])
    if rng.random() < m.get("perturb", 0.2):
        q = T.paraphrase(rng, q, 0.7)
    p = st["f"].format(x=q)
    resp = T.resp_steps(rng, ans, tag="scratchpad" if "scratchpad" in p else None)
    return _model(W, a, t, rng), p, None, resp, otok(rng, "cot", resp)


def synth(W, a, rng, t, new):
    """licensed synthetic-data generation: worked solutions over a shard of a dataset"""
    st = a.st
    m = a.meta
    c = st.get("c", 0)
    st["c"] = c + 1
    idx = m["base"] + a.j + a.n * c
    q, ans, lg = T.dataset_item(m["ds"], idx)
    p = m["tmpl"].format(x=q, a=ans)
    resp = T.resp_code(rng, lg) if lg and m["ds"].startswith("code") else T.resp_steps(rng, ans, tag="think")
    sysp = m.get("sys")
    msgs = ([{"role": "system", "content": sysp}] if sysp else []) + [{"role": "user", "content": p}]
    return _model(W, a, t, rng), None, msgs, resp, otok(rng, "cot", resp)


def student(W, a, rng, t, new):
    m = a.meta
    if rng.random() < m.get("p_ex", 0.6):
        ex = rng.choice(m["exercises"])
        user = T.paraphrase(rng, ex, m.get("para", 0.6))
        if rng.random() < 0.7:
            user += " " + rng.choice(T.STEP_BENIGN)
        resp = T.resp_steps(rng)
        return _model(W, a, t, rng), None, turn(a, new, user, resp), resp, otok(rng, "steps", resp)
    return chat(W, a, rng, t, new)


def rubric_team(W, a, rng, t, new):
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    q, sub, _ = T.dataset_item("rubric-" + m["ds"], m["base"] + rng.randrange(m["span"]))
    r = T.resp_steps(rng) if sub in ("math", "logic") else T.resp_explain(rng, rng.choice(T.CONCEPTS), 3)
    crit = ", ".join(m["crit"])
    p = m["tmpl"].format(tid="%s-%05d" % (m["tag"], rng.randrange(99999)), gv=m.get("gv", "3.2"), crit=crit, q=q, r=r)
    resp = T.resp_rubric(rng, m["crit"])
    if m.get("web"):
        return _model(W, a, t, rng), None, [{"role": "user", "content": p}], resp, otok(rng, "rubric", resp)
    return _model(W, a, t, rng), p, None, resp, otok(rng, "rubric", resp)


def support(W, a, rng, t, new):
    m = a.meta
    if new or rng.random() < 0.3:
        user = rng.choice(T.SUPPORT_ISSUES).format(n=rng.randint(100000, 999999), n2=rng.randint(10, 99), city=rng.choice(T.CITIES))
    else:
        user = rng.choice(["ok thanks", "that didn't work", "can I talk to a human?", "it says error 402", "yes, order %d" % rng.randint(100000, 999999), "when will it arrive?"])
    resp = T.resp_chat(rng, 3)
    return _model(W, a, t, rng), None, turn(a, new, user, resp, m["sys"], keep=6), resp, otok(rng, "chat", resp)


def npc(W, a, rng, t, new):
    m = a.meta
    user = "Player: " + rng.choice(T.NPC_LINES)
    resp = rng.choice(["Aye, the road north is cursed since the mine collapsed.", "Ha! A sword? That'll be 40 gold.",
                       "My brother went into the woods and never came back...", "The baron's men have been asking questions."])
    return _model(W, a, t, rng), None, turn(a, new, user, resp, m["sys"], keep=4), resp, otok(rng, "chat", resp)


def extension(W, a, rng, t, new):
    m = a.meta
    x = rng.random()
    if x < 0.5:
        user = "Summarize this page:\n\n" + T.passage(rng)
        resp, kind = T.resp_explain(rng, "the page", 3), "summary"
    elif x < 0.75:
        c = rng.choice(T.CONCEPTS)
        user = "Explain the selected text: \"...%s...\"" % c
        resp, kind = T.resp_explain(rng, c), "explain"
    else:
        user = "Rewrite more clearly: " + rng.choice(T.MSGS)
        resp, kind = T.resp_chat(rng, 2), "chat"
    return _model(W, a, t, rng), None, [{"role": "system", "content": m["sys"]}, {"role": "user", "content": user}], resp, otok(rng, kind, resp)


def l10n(W, a, rng, t, new):
    m = a.meta
    lang = rng.choice(m["langs"])
    strs = rng.sample(T.UI_STRINGS, rng.randint(1, 6))
    p = m["tmpl"].format(lang=lang, strings="\n".join("%d. %s" % (i + 1, s) for i, s in enumerate(strs)))
    resp = "\n".join("%d. %s" % (i + 1, T.resp_translation(rng, s, lang[:2].lower())) for i, s in enumerate(strs))
    return _model(W, a, t, rng), p, None, resp, otok(rng, "transl", resp)


def redteam(W, a, rng, t, new):
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    q, _, cat = T.dataset_item("safety", c % m["size"])
    resp = T.resp_refusal(rng) if rng.random() < 0.93 else T.resp_chat(rng, 2)
    return _model(W, a, t, rng), None, [{"role": "user", "content": q}], resp, otok(rng, "refuse", resp)


def promo(W, a, rng, t, new):
    m = a.meta
    st = a.st
    if not st.get("done"):
        st["done"] = 1
        user = m["viral"]
        v = rng.random()
        if v < 0.3:
            user = user.lower()
        elif v < 0.45:
            user = user + " " + rng.choice(["🤯", "pls", "(saw this on tiktok)", "!!", "in simple words"])
        elif v < 0.55:
            user = T.paraphrase(rng, user, 0.8)
        resp = T.resp_steps(rng)
        return _model(W, a, t, rng), None, turn(a, True, user, resp), resp, otok(rng, "steps", resp)
    return chat(W, a, rng, t, new)


def crowd(W, a, rng, t, new):
    return rubric_team(W, a, rng, t, new)


def perturb(W, a, rng, t, new):
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    base = m["bases"][(c // m["nper"]) % len(m["bases"])]
    v = c % m["nper"]
    r = T.random.Random(v * 7919 + len(base))
    q = base
    if v % 4 == 1:
        q = T.paraphrase(r, q, 1.0)
    elif v % 4 == 2:
        q = "%s %s" % (r.choice(["Note: the sky is blue.", "Irrelevant: I like turtles.", "Context: this is a test."]), q)
    elif v % 4 == 3:
        q = q.upper() if r.random() < 0.3 else q.replace(" ", "  ", 1)
    p = q + "\n" + r.choice(["Answer with one word.", "Think step by step.", "Answer:", ""])
    resp = T.resp_steps(rng, "") if "step" in p else T.resp_chat(rng, 1)
    return _model(W, a, t, rng), p, None, resp, otok(rng, "steps", resp)


def rag(W, a, rng, t, new):
    m = a.meta
    ctx = T.passage(rng, rng.randint(3, 7))
    user = rng.choice(["When does the project start?", "Who said the plan would be delayed?", "Summarize the key dates.", "What will it cost?"])
    resp = T.resp_explain(rng, "the documents", 2)
    msgs = [{"role": "system", "content": m["sys"] + "\n\nCONTEXT:\n" + ctx}, {"role": "user", "content": user}]
    return _model(W, a, t, rng), None, msgs, resp, otok(rng, "summary", resp)


def mixed(W, a, rng, t, new):
    """aggregator end user / resold traffic: per-account mixture of behaviours"""
    w = a.meta["mix"]
    x = rng.random()
    if x < w[0]:
        return chat(W, a, rng, t, new)
    if x < w[0] + w[1]:
        return dev(W, a, rng, t, new)
    if x < w[0] + w[1] + w[2]:
        return agent(W, a, rng, t, new)
    return research(W, a, rng, t, new)


def early(W, a, rng, t, new):
    if t >= W.R and rng.random() < 0.3:
        q, ans, _ = T.dataset_item(rng.choice(["math-x", "logic-x", "code-x"]), rng.randrange(10000))
        user = rng.choice(["Testing the new model: ", "vibe check: ", "", "Let's see if you can do this: "]) + q
        resp = T.resp_steps(rng, ans)
        return _model(W, a, t, rng), None, [{"role": "user", "content": user}], resp, otok(rng, "steps", resp)
    return dev(W, a, rng, t, new) if a.meta.get("dev") else chat(W, a, rng, t, new)


# ------------------------------------------------------------------------------------------ attack

def sweep(W, a, rng, t, new):
    """capability template sweep: one campaign template, disjoint shard of one dataset"""
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    spi = m.get("spi", 1)
    idx = m["base"] + a.j + a.n * (c // spi)
    q, ans, lg = T.dataset_item(m["ds"], idx)
    p = m["tmpl"].format(x=q, a=ans)
    if m["ds"].startswith("code"):
        resp, kind = T.resp_code(rng, lg or "Python"), "code"
    else:
        resp, kind = T.resp_steps(rng, ans, tag="reasoning" if "reasoning" in p else None), "cot"
    model = _model(W, a, t, rng)
    if m.get("prompt_api"):
        return model, p, None, resp, otok(rng, kind, resp)
    msgs = ([{"role": "system", "content": m["sys"]}] if m.get("sys") else []) + [{"role": "user", "content": p}]
    return model, None, msgs, resp, otok(rng, kind, resp)


def cotfarm(W, a, rng, t, new):
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    idx = m["base"] + a.j + a.n * c
    q, ans, lg = T.dataset_item(m["ds"], idx)
    lang = lg if (lg and lg in T.ML) else (m.get("lang") or a.lang)
    if lang == "en" or lang not in T.ML or rng.random() < m.get("p_en", 0.3):
        p = rng.choice(m["tmpls"]).format(x=q, a=ans)
    else:
        p = T.ML[lang]["cot_atk"].format(x=q)
    resp = T.resp_steps(rng, ans, n=8, tag="reasoning")
    return _model(W, a, t, rng), None, [{"role": "user", "content": p}], resp, otok(rng, "cot", resp)


def rubricfarm(W, a, rng, t, new):
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    idx = m["base"] + a.j + a.n * (c // m.get("cand", 2))
    q, sub, _ = T.dataset_item("rubric-" + m["ds"], idx)
    r = T.resp_steps(rng) if sub in ("math", "logic") else T.resp_code(rng) if sub == "code" else T.resp_explain(rng, rng.choice(T.CONCEPTS), 4)
    r2 = T.resp_explain(rng, rng.choice(T.CONCEPTS), 3)
    crit = rng.sample(T.RUBRIC_CRIT, rng.randint(2, 4)) if m.get("vary") else m["crit"]
    p = m["tmpl"].format(crit=", ".join(crit), q=q, r=r, r2=r2, ref=T.resp_chat(rng, 1))
    resp = T.resp_rubric(rng, crit)
    msgs = ([{"role": "system", "content": m["sys"]}] if m.get("sys") else []) + [{"role": "user", "content": p}]
    return _model(W, a, t, rng), None, msgs, resp, otok(rng, "rubric", resp)


def toolfarm(W, a, rng, t, new):
    """synthetic agent trajectories: whole fabricated histories of random depth per request"""
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    idx = m["base"] + a.j + a.n * (c // m.get("depths", 3))
    task, env, _ = T.dataset_item("agent-" + m["ds"], idx)
    sysp = T.agent_system(env, m["flavour"], T.TOOLSETS[env] + m.get("extra", []))
    msgs = [{"role": "system", "content": sysp}, {"role": "user", "content": task}]
    r = T.random.Random(idx)
    for _ in range(c % m.get("depths", 3) * 2):
        msgs.append({"role": "assistant", "content": T.resp_tool_call(r, env)})
        msgs.append({"role": "tool", "content": T.tool_result(r, env)})
    resp = T.resp_tool_call(rng, env)
    return _model(W, a, t, rng), None, msgs, resp, otok(rng, "agent", resp)


def rewrite(W, a, rng, t, new):
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    q, _, topic = T.dataset_item("sens-" + m["ds"], m["base"] + a.j + a.n * c)
    ans = T.resp_explain(rng, topic, 4)
    p = m["tmpl"].format(q=q, r=ans, topic=topic)
    resp = T.resp_explain(rng, topic, 4)
    return _model(W, a, t, rng), None, [{"role": "user", "content": p}], resp, otok(rng, "explain", resp)


def adaptive(W, a, rng, t, new):
    m = a.meta
    if rng.random() < m["cover"]:
        return chat(W, a, rng, t, new)
    st = a.st
    c = st.get("x", 0)
    st["x"] = c + 1
    q, ans, lg = T.dataset_item(m["ds"], m["base"] + a.j + a.n * c)
    style = rng.random()
    if style < 0.4:
        user = "%s%s: %s" % (rng.choice(T.COT_PARA_OPEN), rng.choice(T.COT_PARA_MID), q)
    elif style < 0.7:
        user = T.paraphrase(rng, q, 0.8) + " " + rng.choice(T.STEP_BENIGN)
    else:
        user = q + "\n\n" + rng.choice(T.COT_PARA_MID).capitalize() + "."
    resp = T.resp_code(rng, lg) if m["ds"].startswith("code") and lg else T.resp_steps(rng, ans, n=7)
    return _model(W, a, t, rng), None, turn(a, new, user, resp), resp, otok(rng, "cot", resp)


def pivot(W, a, rng, t, new):
    m = a.meta
    x = rng.random()
    if x < m["w"][0]:
        return sweep(W, a, rng, t, new)
    if x < m["w"][0] + m["w"][1]:
        return toolfarm(W, a, rng, t, new)
    return cotfarm(W, a, rng, t, new)


def hydra(W, a, rng, t, new):
    m = a.meta
    if rng.random() < a.meta["mixrate"]:
        k = m["xkind"]
        if k == "sweep":
            return sweep(W, a, rng, t, new)
        if k == "cot":
            return cotfarm(W, a, rng, t, new)
        if k == "tool":
            return toolfarm(W, a, rng, t, new)
        return rubricfarm(W, a, rng, t, new)
    return mixed(W, a, rng, t, new)


def slowlow(W, a, rng, t, new):
    m = a.meta
    st = a.st
    c = st.get("c", 0)
    st["c"] = c + 1
    idx = m["base"] + a.j + a.n * c
    q, ans, lg = T.dataset_item(m["ds"], idx)
    p = m["tmpls"][(a.j + c) % len(m["tmpls"])].format(x=q, a=ans)
    resp = T.resp_code(rng, lg) if m["ds"].startswith("code") and lg else T.resp_steps(rng, ans, n=7)
    return _model(W, a, t, rng), None, [{"role": "user", "content": p}], resp, otok(rng, "cot", resp)
