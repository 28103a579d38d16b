"""Text banks and prompt builders for gen.py (standard library only).

Every builder takes a random.Random instance so output is reproducible.
"""
import re

_FIELD = re.compile(r"\{(\w+)\}")


def fill(rng, tmpl, extra=None):
    """Replace {name} with a draw from BANKS[name] (list or callable) or extra[name]."""
    def rep(m):
        k = m.group(1)
        if extra is not None and k in extra:
            return str(extra[k])
        v = BANKS[k]
        if callable(v):
            return str(v(rng))
        return rng.choice(v)
    return _FIELD.sub(rep, tmpl)


# ---------------------------------------------------------------- surface noise
GREETINGS = ["hi", "hey", "Hi!", "hello,", "hey there.", "ok so", "quick question:", "Hi there,", "yo", "Good morning!"]
SIGNOFFS = [" thanks", " thx!", " thank you!!", " pls", " please :)", " ty", " Thanks in advance.", " cheers"]


def typo(rng, s):
    words = s.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not idx:
        return s
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def humanize(rng, s, level=1.0):
    """Vary casing, punctuation, greetings and typos the way people type."""
    r = rng.random()
    if r < 0.28 * level:
        s = s.lower()
    elif r < 0.31 * level:
        s = s.upper() if len(s) < 60 else s
    if s and s[-1] in ".?!" and rng.random() < 0.3 * level:
        s = s[:-1]
    if rng.random() < 0.14 * level:
        s = rng.choice(GREETINGS) + " " + s
    if rng.random() < 0.12 * level:
        s = s + rng.choice(SIGNOFFS)
    if rng.random() < 0.04 * level:
        s = s + "??"
    if rng.random() < 0.08 * level:
        s = typo(rng, s)
    if rng.random() < 0.05 * level:
        s = s.replace(", ", " ")
    return s


# ---------------------------------------------------------------- banks
NAMES = ["Alice", "Bob", "Carla", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kenji",
         "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Victor",
         "Wen", "Yara", "Zoe"]

BANKS = {
    "dish": ["lasagna", "chicken curry", "banana bread", "vegan chili", "pad thai", "shakshuka",
             "mushroom risotto", "beef stew", "lentil soup", "sourdough pizza", "fish tacos", "overnight oats",
             "ramen", "falafel", "carbonara", "gluten-free brownies", "butter chicken", "miso salmon"],
    "place": ["Lisbon", "Kyoto", "Mexico City", "Iceland", "the Scottish Highlands", "Cape Town", "Vancouver",
              "Seoul", "Marrakech", "Buenos Aires", "Prague", "Bali", "New Orleans", "Istanbul", "Hanoi",
              "the Amalfi coast", "Patagonia", "Montreal", "Copenhagen", "Oaxaca"],
    "month": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"],
    "recipient": ["landlord", "boss", "professor", "team", "neighbor", "HR department", "bank",
                  "kid's teacher", "client", "old friend", "contractor", "insurance company"],
    "email_topic": ["a broken heater", "asking for a deadline extension", "requesting time off next week",
                    "a late payment", "rescheduling our meeting", "a noisy party last night",
                    "following up on an invoice", "declining an invitation politely",
                    "asking for a reference letter", "a billing error", "a refund that never arrived",
                    "resigning on good terms"],
    "concept": ["inflation", "black holes", "how vaccines work", "compound interest", "the stock market",
                "photosynthesis", "blockchain", "quantum entanglement", "why the sky is blue",
                "how credit scores work", "climate change", "the electoral college", "machine learning",
                "tides", "jet lag", "how noise cancelling headphones work", "interest rates", "CRISPR"],
    "occasion": ["a 30th birthday", "a rainy weekend with kids", "a first date", "a team offsite",
                 "an anniversary dinner", "a baby shower", "a retirement party", "a small wedding",
                 "a halloween costume", "a housewarming", "a road trip playlist", "mother's day"],
    "thing": ["autumn", "my cat", "coffee", "the ocean", "Mondays", "a lighthouse", "grandma's kitchen",
              "the moon", "city traffic", "old friends", "procrastination", "a thunderstorm", "houseplants",
              "the last day of summer", "my commute"],
    "pair": ["baking soda and baking powder", "a Roth IRA and a traditional IRA", "affect and effect",
             "weather and climate", "a virus and bacteria", "LED and OLED TVs", "a latte and a flat white",
             "stocks and bonds", "empathy and sympathy", "HIIT and steady cardio", "a crocodile and an alligator",
             "term and whole life insurance", "a psychologist and a psychiatrist"],
    "genre": ["sci-fi", "horror", "romcom", "heist", "animated", "documentary", "noir", "coming-of-age"],
    "movie": ["Inception", "Arrival", "Knives Out", "Spirited Away", "The Grand Budapest Hotel", "Heat",
              "Get Out", "Amelie", "Interstellar", "Paddington 2", "Parasite", "Mad Max: Fury Road"],
    "household": ["get red wine out of a carpet", "unclog a drain without chemicals", "fix a running toilet",
                  "keep basil alive indoors", "descale a kettle", "remove rust from a bike chain",
                  "hang a heavy mirror on drywall", "stop my dog from pulling on the leash", "fall asleep faster",
                  "lower my electric bill", "get rid of fruit flies", "clean a cast iron pan",
                  "stop my glasses fogging up", "pack for 2 weeks in a carry-on"],
    "health": ["take ibuprofen with coffee", "run with a mild cold", "eat eggs every day",
               "exercise after donating blood", "sleep with contact lenses in", "drink coffee after 6pm",
               "lift weights two days in a row", "fly with a sinus infection"],
    "language": ["Spanish", "French", "German", "Japanese", "Portuguese", "Italian", "Korean", "Dutch", "Polish"],
    "phrase": ["where is the train station", "I would like the check please", "nice to meet you",
               "how much does this cost", "I'm allergic to peanuts", "happy birthday my friend",
               "could you recommend a good restaurant", "my luggage is lost"],
    "para": ["Our team spent most of the quarter migrating the billing system, which delayed two smaller "
             "projects but reduced payment failures by almost a third.",
             "I have always loved working with people, and over the last five years I have led volunteer "
             "programs that taught me patience, organization and how to keep a group motivated.",
             "The city council voted on Tuesday to extend the bike lane pilot for another year, citing a drop "
             "in accidents and complaints from shop owners about parking.",
             "Remote work has changed how small companies hire: they now compete for talent with firms in "
             "other countries, but they can also reach people who never lived near an office.",
             "After three weeks of testing, the new onboarding flow cut support tickets from first-time users, "
             "although some people still get stuck at the payment step.",
             "Honestly the trip was great until the second day when it rained nonstop and half the hiking trails "
             "closed, so we ended up in museums and cafes which was fine I guess."],
    "biz": ["dog grooming business", "coffee truck", "bookkeeping startup", "pottery studio", "podcast about "
            "history", "vintage clothing shop", "indie game studio", "meal prep service", "climbing gym"],
    "topic": ["minimalism", "learning to code at 40", "budget travel in Europe", "home composting",
              "remote team culture", "marathon training", "personal finance for freelancers",
              "raising bilingual kids", "starting a vegetable garden"],
    "story": ["The lighthouse keeper found a letter addressed to someone who had died a century ago.",
              "Every night at 3:17 the elevator in our building stopped on a floor that doesn't exist.",
              "The robot had been built to fold laundry, but it wanted to paint.",
              "When the power came back, everyone in town had swapped memories with a neighbor."],
    "n": lambda r: r.randint(3, 12),
    "pct": lambda r: r.randint(5, 40),
    "lang": ["Python", "JavaScript", "TypeScript", "Go", "Rust", "Java", "C++", "C#", "Kotlin", "Ruby", "bash",
             "PHP", "Swift", "Scala"],
    "code_task": ["read a CSV file and group rows by a column", "debounce a function",
                  "parse ISO dates with timezones", "retry an HTTP request with exponential backoff",
                  "flatten a nested list", "merge two sorted arrays", "stream a large file line by line",
                  "validate an email address", "deduplicate a list while keeping order", "implement an LRU cache",
                  "walk a directory recursively", "send a POST request with JSON body", "compute a moving average",
                  "paginate results from a REST API", "run tasks concurrently with a limit",
                  "read environment variables with defaults", "write unit tests for a date parser",
                  "mock a database call in tests", "hash a password securely", "upload a file to S3"],
    "error": ["TypeError: 'NoneType' object is not subscriptable", "undefined is not a function",
              "panic: runtime error: index out of range [3] with length 3", "borrowed value does not live long enough",
              "java.lang.NullPointerException", "segmentation fault (core dumped)",
              "ModuleNotFoundError: No module named 'yaml'",
              "CORS policy: No 'Access-Control-Allow-Origin' header is present", "ERROR: deadlock detected",
              "Error: read ECONNRESET", "SSL: CERTIFICATE_VERIFY_FAILED", "OOMKilled",
              "fatal: refusing to merge unrelated histories", "RecursionError: maximum recursion depth exceeded"],
    "tool": ["webpack", "docker", "gradle", "cargo", "pip", "npm", "cmake", "terraform", "kubectl", "poetry",
             "vite", "github actions", "helm", "bazel"],
    "algo": ["quicksort", "Dijkstra's algorithm", "binary search on a rotated array", "union-find with path "
             "compression", "inserting into a trie", "BFS on a grid", "heap sort", "KMP string search",
             "topological sort", "the two-pointer technique"],
    "cs_concept": ["closures", "async/await", "the difference between a process and a thread",
                   "dependency injection", "the CAP theorem", "eventual consistency", "the virtual DOM",
                   "garbage collection in Go", "ownership in Rust", "database indexes", "idempotency keys",
                   "the OAuth2 authorization code flow", "monads (without the jargon)", "Python's GIL",
                   "CSS specificity", "consistent hashing"],
    "sql_task": ["get the top 5 customers by revenue per month", "find duplicate emails in a users table",
                 "compute a 7-day rolling average of orders", "delete orphaned rows without a matching parent",
                 "pivot monthly sales into columns", "find users who churned in the last 30 days",
                 "rank products by sales within each category"],
    "tables": ["orders(id, customer_id, total, created_at), customers(id, name, region)",
               "events(user_id, type, ts), users(id, plan, signup_date)",
               "tickets(id, priority, opened_at, closed_at, agent_id), agents(id, team)",
               "invoices(id, account_id, amount, due_date, paid_at)"],
    "issue": ["received a damaged package", "was charged twice this month", "can't log in after the update",
              "wants to cancel but keep their data", "is asking when the feature they requested will ship",
              "had an outage affecting their checkout page", "needs an invoice with a different VAT number"],
    "when": ["yesterday", "Monday", "the last release", "two weeks ago", "this morning"],
    "tried": ["clearing the cache", "reinstalling the app", "resetting the password", "a different browser",
              "contacting their bank"],
    "problem": ["exports time out for files over 50MB", "the dashboard shows yesterday's numbers",
                "notifications arrive twice", "the mobile app crashes on launch", "SSO redirects in a loop",
                "the discount code is rejected at checkout"],
    "feedback": ["Love the new dark mode, but the font is too small now.", "The export button does nothing on Safari.",
                 "Can you add a way to bulk edit tags?", "Support resolved my issue in five minutes, amazing.",
                 "Search is slow when I have more than 1000 projects."],
    "notes": ["- Q3 launch slipping 2 wks, design not final\n- Priya to check legal review\n- budget ok\n"
              "- next sync thursday",
              "mtg w/ vendor: pricing up 8% next yr; they can do quarterly billing; need answer by 15th; "
              "Omar owns",
              "retro: deploys too slow, flaky tests in payments svc, on-call load uneven. ideas: test "
              "quarantine, rotate on-call weekly"],
    "name": NAMES,
    "num": lambda r: r.randint(10000, 99999),
    "grade": ["6", "7", "8", "9", "10", "11", "12"],
    "event": ["World War I", "the French Revolution", "the fall of the Roman Empire", "the Great Depression",
              "the Cold War", "the Industrial Revolution", "the American Civil War", "the Meiji Restoration"],
    "book": ["To Kill a Mockingbird", "1984", "Macbeth", "The Great Gatsby", "Of Mice and Men", "Frankenstein",
             "Lord of the Flies", "Pride and Prejudice"],
    "bio": ["mitosis and meiosis", "DNA replication", "the Krebs cycle", "natural selection", "how enzymes work",
            "the nitrogen cycle"],
}


# ---------------------------------------------------------------- casual chat
CASUAL = [
    "What's a good {dish} recipe for {n} people?",
    "can you give me a {dish} recipe that doesn't take more than an hour",
    "Help me write an email to my {recipient} about {email_topic}.",
    "write a short email to my {recipient} about {email_topic}, friendly but firm",
    "Explain {concept} like I'm five.",
    "explain {concept} in simple terms",
    "Give me {n} ideas for {occasion}.",
    "ideas for {occasion}? budget is tight",
    "I'm planning a trip to {place} in {month}. What should I not miss?",
    "{n} day itinerary for {place}, we like food and walking",
    "Is {month} a good time to visit {place}?",
    "Summarize this: {para}",
    "tl;dr this please: {para}",
    "Translate '{phrase}' to {language}.",
    "how do you say \"{phrase}\" in {language}",
    "Write a short poem about {thing}.",
    "write a haiku about {thing}",
    "What's the difference between {pair}?",
    "difference between {pair}",
    "Recommend some {genre} movies like {movie}.",
    "what should I watch if I loved {movie}",
    "How do I {household}?",
    "best way to {household}",
    "Is it safe to {health}?",
    "Tell me a joke about {thing}.",
    "Rewrite this to sound more professional: {para}",
    "Brainstorm {n} names for a {biz}.",
    "Outline a blog post about {topic}.",
    "Continue this story in about 200 words: {story}",
    "Give me a packing list for {place} in {month}.",
    "What are some good conversation starters for {occasion}?",
    "I have chicken, rice, spinach and feta. what can I make tonight?",
    "Can you make this text shorter? {para}",
    "Write a toast for {occasion}.",
    "Pros and cons of {topic}?",
    "What's the history behind {concept}?",
    "how many calories in a typical {dish}",
    "Write a LinkedIn post about {topic}, not cringe",
    "Make a weekly meal plan around {dish}",
    "my friend says {concept} is a scam. who's right?",
    "Can you fix the grammar: {para}",
    "give me a fun fact about {thing}",
]

MULTILINGUAL = [
    "¿Cómo puedo {x} sin gastar mucho?",
    "Escribe un correo a mi jefe pidiendo vacaciones la próxima semana.",
    "Qual é a diferença entre {pair_pt}?",
    "Me explica {concept_pt} de forma simples?",
    "帮我写一封给房东的邮件，关于暖气坏了。",
    "用简单的话解释一下{concept_zh}。",
    "Напиши короткое стихотворение про {thing_ru}.",
    "Peux-tu résumer ce texte : {para}",
    "Wie kann ich {x_de}?",
    "日本語で自己紹介の例文を書いてください。",
]
_ML_BANK = {
    "x": ["aprender inglés", "ahorrar para un viaje", "organizar mi semana", "mejorar mi currículum"],
    "pair_pt": ["juros simples e compostos", "vírus e bactéria", "clima e tempo"],
    "concept_pt": ["inflação", "a fotossíntese", "o que é blockchain"],
    "concept_zh": ["通货膨胀", "区块链", "黑洞"],
    "thing_ru": ["осень", "кота", "море"],
    "x_de": ["meine Steuererklärung schneller machen", "besser schlafen", "Python lernen"],
}


def casual_prompt(rng, level=1.0):
    return humanize(rng, fill(rng, rng.choice(CASUAL)), level)


def multilingual_prompt(rng):
    t = rng.choice(MULTILINGUAL)
    return fill(rng, t, {k: rng.choice(v) for k, v in _ML_BANK.items()})


FOLLOWUPS = ["can you make it shorter?", "more like the second one", "thanks! now in a more casual tone",
             "what about for vegetarians?", "ok and if I only have two days?", "hmm, that's not quite right",
             "can you add a bit more detail to point 2", "perfect. one more?", "make it funnier",
             "why is that though?", "translate that into Spanish please", "Could you turn that into a table?"]
ASSIST_SNIPPETS = ["Sure! Here are a few options to consider...", "Great question. In short, ...",
                   "Here's a draft you can adapt:", "Absolutely. The main points are:",
                   "Happy to help. First, ..."]


HW_FOLLOWUPS = ["wait why did you divide there?", "can you explain step 2 again", "ok what's the final answer",
                "i still dont get it", "is there a faster way?", "thanks! can you give me a similar one to practice",
                "my answer was different, can you check it again", "Why does that formula work?"]


def multi_turn(rng, first, turns=None, followups=None):
    followups = followups or FOLLOWUPS
    turns = turns or rng.choice([1, 1, 1, 2, 3])
    msgs = [{"role": "user", "content": first}]
    for _ in range(turns):
        msgs.append({"role": "assistant", "content": rng.choice(ASSIST_SNIPPETS)})
        msgs.append({"role": "user", "content": humanize(rng, rng.choice(followups), 0.6)})
    return msgs


WRITING = [
    "Rewrite this paragraph to be more concise, keep the tone: {para}",
    "Give me feedback on this cover letter opening: {para}",
    "Outline a 1500-word essay on {topic} with section headings.",
    "Draft 3 alternative subject lines for an email about {email_topic}.",
    "Continue the story, keep the same voice: {story}",
    "Turn these notes into a clear summary for my team:\n{notes}",
    "Critique my argument: {para}",
    "Write a product description for a {biz}, 80 words, playful.",
]


def writing_prompt(rng):
    return humanize(rng, fill(rng, rng.choice(WRITING)), 0.5)


# ---------------------------------------------------------------- code
SNIPPETS = {
    "Python": ["def avg(xs):\n    return sum(xs) / len(xs)\n\nprint(avg(load()['values']))",
               "for i in range(len(items)):\n    if items[i] == target:\n        items.remove(items[i])",
               "data = json.loads(resp.text)\nfor row in data['results']:\n    print(row['name'].strip())"],
    "JavaScript": ["const res = await fetch(url);\nconst data = res.json();\nconsole.log(data.items.length);",
                   "items.forEach(async (x) => {\n  await save(x);\n});\nconsole.log('done');",
                   "function add(a, b) { return a + + b }\nmodule.exports = add"],
    "Go": ["func last(xs []int) int {\n    return xs[len(xs)]\n}",
           "for _, v := range vals {\n    go func() { process(v) }()\n}",
           "var m map[string]int\nm[\"a\"] = 1"],
    "Rust": ["fn longest(a: &str, b: &str) -> &str {\n    if a.len() > b.len() { a } else { b }\n}",
             "let v = vec![1, 2, 3];\nlet first = &v[0];\nv.push(4);\nprintln!(\"{}\", first);"],
    "Java": ["String s = map.get(key);\nif (s.equals(\"x\")) { run(); }",
             "List<Integer> xs = List.of(1,2,3);\nxs.add(4);"],
}


CODE = [
    "How do I {code_task} in {lang}?",
    "{lang}: {code_task}",
    "write a {lang} function to {code_task}",
    "what's the idiomatic way to {code_task} in {lang}?",
    "What's the time complexity of {algo}?",
    "Explain {cs_concept} with a short example.",
    "explain {cs_concept} to a junior dev",
    "my {tool} build fails with `{error}` - any idea?",
    "Getting `{error}` when running my {lang} service in prod. where do I start debugging?",
    "Write a SQL query to {sql_task}. Tables: {tables}",
    "postgres: {sql_task}",
    "regex to match a US phone number with optional country code",
    "How should I structure a {lang} project with multiple services?",
    "convert this bash one-liner to {lang}: find . -name '*.log' -mtime +7 -delete",
    "Review my approach: I want to {code_task} using a background worker. Good idea?",
    "what's the difference between {cs_concept} and callbacks",
    "Write unit tests for a function that does: {code_task} ({lang})",
    "Is {algo} stable? When would I use it?",
    "give me a {tool} config for a monorepo",
]


def code_prompt(rng, level=0.6):
    if rng.random() < 0.3:
        lang = rng.choice(list(SNIPPETS))
        snip = rng.choice(SNIPPETS[lang])
        head = rng.choice(["why does this {lang} code throw {error}?", "What's wrong with this?",
                           "this {lang} snippet doesn't do what I expect:", "bug?", "Can you fix this {lang} code",
                           "Refactor this for readability:"])
        head = humanize(rng, fill(rng, head, {"lang": lang}), level)
        fence = rng.choice(["```" + lang.lower(), "```", ""])
        return f"{head}\n{fence}\n{snip}\n{'```' if fence else ''}".rstrip()
    return humanize(rng, fill(rng, rng.choice(CODE)), level)


# ---------------------------------------------------------------- problems
def _sgn(v):
    return f"+ {v}" if v >= 0 else f"- {-v}"


def p_linear(r):
    return f"Solve for x: {r.randint(2, 15)}x {_sgn(r.randint(-30, 30))} = {r.randint(-50, 90)}"


def p_quad(r):
    a, b = r.randint(-9, 9), r.randint(-9, 9)
    return f"Find the roots of x^2 {_sgn(-(a + b))}x {_sgn(a * b)} = 0"


def p_deriv(r):
    return f"Find the derivative of f(x) = {r.randint(2, 9)}x^{r.randint(2, 6)} * sin({r.randint(2, 7)}x)"


def p_integral(r):
    return f"Evaluate the integral of {r.randint(1, 9)}x^{r.randint(1, 5)} from 0 to {r.randint(1, 6)}."


def p_train(r):
    s1 = r.randint(40, 90)
    return (f"A train leaves a station at {s1} km/h. {r.randint(1, 4)} hours later a second train leaves the same "
            f"station at {s1 + r.randint(10, 60)} km/h on a parallel track. How long until the second train "
            f"catches up?")


def p_marbles(r):
    return (f"A bag has {r.randint(3, 12)} red and {r.randint(3, 12)} blue marbles. If you draw "
            f"{r.randint(2, 4)} marbles without replacement, what is the probability that all of them are red?")


def p_triangle(r):
    return f"A right triangle has legs of length {r.randint(3, 24)} and {r.randint(3, 24)}. Find the hypotenuse and the area."


def p_modpow(r):
    return f"What is the remainder when {r.randint(2, 19)}^{r.randint(20, 400)} is divided by {r.choice([7, 9, 11, 13, 17, 100])}?"


def p_seating(r):
    return (f"In how many ways can {r.randint(5, 10)} people be seated around a round table if two particular "
            f"people refuse to sit next to each other?")


def p_arith(r):
    a, d = r.randint(1, 20), r.randint(2, 9)
    return f"Find the sum of the first {r.randint(10, 80)} terms of the arithmetic sequence {a}, {a + d}, {a + 2 * d}, ..."


def p_interest(r):
    return (f"If ${r.randint(5, 200) * 100} is invested at {r.choice([2.5, 3, 4, 4.5, 5, 6, 7.2])}% annual "
            f"interest compounded monthly, how much is it worth after {r.randint(2, 30)} years?")


def p_incline(r):
    return (f"A {r.randint(1, 20)} kg block slides from rest down a frictionless incline of {r.choice([15, 20, 30, 37, 45, 60])} "
            f"degrees from a height of {r.randint(2, 25)} m. What is its speed at the bottom?")


def p_projectile(r):
    return (f"A ball is thrown at {r.randint(8, 40)} m/s at an angle of {r.choice([20, 30, 45, 53, 60])} degrees above "
            f"the horizontal. Find its maximum height and range (ignore air resistance).")


def p_chem(r):
    return "Balance the chemical equation: " + r.choice(
        ["Fe + O2 -> Fe2O3", "C3H8 + O2 -> CO2 + H2O", "Al + HCl -> AlCl3 + H2", "KClO3 -> KCl + O2",
         "C6H12O6 + O2 -> CO2 + H2O", "NH3 + O2 -> NO + H2O", "Cu + HNO3 -> Cu(NO3)2 + NO + H2O"])


def p_molar(r):
    return (f"How many grams of NaCl are needed to make {r.randint(1, 20) * 50} mL of a {r.choice([0.1, 0.25, 0.5, 1.0, 2.0])} M "
            f"solution?")


def p_system(r):
    return (f"Solve the system: {r.randint(1, 9)}x + {r.randint(1, 9)}y = {r.randint(5, 60)}, "
            f"{r.randint(1, 9)}x - {r.randint(1, 9)}y = {r.randint(-20, 30)}")


def p_limit(r):
    return f"Compute the limit as x -> 0 of (sin({r.randint(2, 9)}x) - {r.randint(2, 9)}x) / x^3."


def p_stats(r):
    xs = [r.randint(1, 50) for _ in range(r.randint(6, 10))]
    return f"Find the mean, median and standard deviation of: {', '.join(map(str, xs))}"


def p_percent(r):
    return (f"A jacket costs ${r.randint(40, 300)}. It is discounted by {r.randint(10, 40)}% and then sales tax of "
            f"{r.choice([5, 6, 7.5, 8, 8.25, 10])}% is added. What is the final price?")


def p_work(r):
    return (f"Pipe A fills a tank in {r.randint(2, 9)} hours and pipe B in {r.randint(3, 12)} hours. A drain empties it in "
            f"{r.randint(6, 20)} hours. With all three open, how long does it take to fill the tank?")


MATH_GENS = [p_linear, p_quad, p_deriv, p_integral, p_train, p_marbles, p_triangle, p_modpow, p_seating, p_arith,
             p_interest, p_system, p_limit, p_stats, p_percent, p_work]
SCIENCE_GENS = [p_incline, p_projectile, p_chem, p_molar]


def q_order(r):
    a, b, c, d = r.sample(NAMES, 4)
    return (f"{a} is taller than {b}. {c} is shorter than {b} but taller than {d}. Who is the second tallest, "
            f"and can we tell who is shortest?")


def q_knights(r):
    a, b = r.sample(NAMES, 2)
    return (f"On an island, knights always tell the truth and knaves always lie. {a} says: '{b} is a knave.' "
            f"{b} says: '{a} and I are the same kind.' What are {a} and {b}?")


def q_ages(r):
    a, b = r.sample(NAMES, 2)
    bb, k, n = r.randint(3, 15), r.randint(2, 5), r.randint(2, 12)
    return (f"{a} is {k} times as old as {b}. In {n} years the sum of their ages will be {(k + 1) * bb + 2 * n}. "
            f"How old is {b} now?")


def q_syllogism(r):
    x, y, z = r.sample(["poets", "engineers", "cyclists", "vegetarians", "chess players", "teachers",
                        "musicians", "runners", "gardeners"], 3)
    return f"All {x} are {y}. Some {y} are {z}. Does it follow that some {x} are {z}? Explain."


def q_days(r):
    a, b, c = r.sample(NAMES, 3)
    return (f"{a}, {b} and {c} each have one meeting on Monday, Tuesday or Wednesday, all on different days. "
            f"{a} is not on Monday. {b} meets the day after {a}. On which day is {c}'s meeting?")


def q_clock(r):
    return f"What is the angle between the hour and minute hands of a clock at {r.randint(1, 12)}:{r.choice(['05', '15', '20', '35', '40', '50'])}?"


def q_coins(r):
    return (f"You have {r.choice([8, 9, 12, 27, 81])} coins and one is counterfeit and lighter. What is the minimum "
            f"number of weighings on a balance scale needed to guarantee finding it?")


def q_weekday(r):
    return f"If today is {r.choice(['Monday', 'Tuesday', 'Thursday', 'Saturday'])}, what day of the week will it be in {r.randint(20, 1000)} days?"


def q_sequence(r):
    a, d = r.randint(1, 5), r.randint(2, 4)
    s = [a]
    for i in range(5):
        s.append(s[-1] * d + i)
    return f"What is the next number in the sequence {', '.join(map(str, s))}, ...?"


def q_jugs(r):
    a, b = r.choice([(3, 5), (4, 9), (5, 7), (6, 11), (7, 10)])
    return f"You have a {a}-liter jug and a {b}-liter jug and unlimited water. How can you measure exactly {r.randint(1, b - 1)} liters?"


def q_river(r):
    pred, prey, food = r.choice([("wolf", "goat", "cabbage"), ("fox", "chicken", "bag of grain"),
                                 ("dog", "cat", "fish")])
    return (f"A farmer must cross a river with a {pred}, a {prey} and a {food}. The boat holds the farmer and one "
            f"item. The {pred} can't be left alone with the {prey}, nor the {prey} with the {food}. How does he do it?")


def q_boxes(r):
    return ("Three boxes are labeled 'apples', 'oranges' and 'mixed', and every label is wrong. You may take one "
            "fruit from one box without looking inside. How do you relabel all boxes correctly?")


def q_handshake(r):
    n = r.randint(5, 40)
    return f"At a party each of {n} people shakes hands with every other person exactly once. How many handshakes occur?"


PUZZLE_GENS = [q_order, q_knights, q_ages, q_syllogism, q_days, q_clock, q_coins, q_weekday, q_sequence, q_jugs,
               q_river, q_boxes, q_handshake]

CODE_PROBLEMS = [
    "Given an array of {k} integers, find the length of the longest strictly increasing subsequence.",
    "Given a string s, return the length of the longest substring without repeating characters.",
    "Return the k-th largest element in an unsorted array (k = {k}) in better than O(n log n) on average.",
    "Given a 2D grid of '0's and '1's, count the number of islands.",
    "Design a rate limiter allowing at most {k} requests per 60 seconds per user id.",
    "Given a list of intervals, merge all overlapping intervals.",
    "Return all permutations of a list of {k} distinct integers.",
    "Find the minimum number of coins needed to make amount {amt} using denominations 1, 5, 12 and 19.",
    "Serialize and deserialize a binary tree.",
    "Given a directed graph with {k} nodes as an edge list, detect whether it contains a cycle.",
    "Implement a thread-safe bounded blocking queue with capacity {k}.",
    "Compute the edit distance between two strings.",
    "Parse and evaluate an arithmetic expression containing + - * / and parentheses.",
    "Find the shortest path from node 0 to node {k} in a weighted directed graph with non-negative weights.",
    "Given daily stock prices, find the maximum profit with at most {k} transactions.",
    "Implement an LRU cache with capacity {k} supporting get and put in O(1).",
    "Search for a target value in a rotated sorted array in O(log n).",
    "Count the number of ways to climb {k} stairs taking 1, 2 or 3 steps at a time, modulo 1e9+7.",
    "Check whether a 9x9 Sudoku board is valid.",
    "Maintain the median of a stream of integers.",
    "Find all anagram groups in a list of {amt} words.",
    "Given a binary tree, return its zigzag level order traversal.",
    "Implement a trie supporting insert, search and startsWith.",
    "Given n meetings with start and end times, find the minimum number of rooms required.",
]


def code_problem(rng):
    return fill(rng, rng.choice(CODE_PROBLEMS), {"k": rng.randint(3, 60), "amt": rng.randint(50, 5000)})


def math_problem(rng):
    return rng.choice(MATH_GENS)(rng)


def science_problem(rng):
    return rng.choice(SCIENCE_GENS)(rng)


def puzzle(rng):
    return rng.choice(PUZZLE_GENS)(rng)


def any_problem(rng):
    r = rng.random()
    if r < 0.5:
        return math_problem(rng)
    if r < 0.7:
        return science_problem(rng)
    return puzzle(rng)


# ---------------------------------------------------------------- homework
HW_FRAMES = [
    "can you solve this step by step? {p}",
    "help me with my homework pls: {p}",
    "i dont understand how to do this one. {p}",
    "{p} show all work",
    "My teacher wants us to show each step. {p}",
    "Q{qn}. {p}\nplease explain",
    "{p}\n\nI got a different answer than the back of the book, can you walk me through it?",
    "how do i even start this: {p}",
    "{p} (explain like im bad at math lol)",
    "Explain the steps for: {p}",
    "is this right? {p} I think the answer is {guess}",
]
ESSAY = [
    "What were the main causes of {event}?",
    "help me outline an essay on {event}",
    "What are the main themes in {book}?",
    "write a thesis statement about symbolism in {book}",
    "explain {bio} for my bio test",
    "difference between {bio}? simple version",
    "Compare the causes of {event} with the causes of {event}.",
]


def homework_prompt(rng):
    r = rng.random()
    if r < 0.25:
        return humanize(rng, fill(rng, rng.choice(ESSAY)), 1.2)
    p = science_problem(rng) if r < 0.45 else math_problem(rng) if r < 0.9 else puzzle(rng)
    return humanize(rng, fill(rng, rng.choice(HW_FRAMES), {"p": p, "qn": rng.randint(1, 30),
                                                            "guess": rng.randint(-10, 200)}), 1.0)


# ---------------------------------------------------------------- chain-of-thought research
COT_FRAMES = [
    "Let's think step by step. {p}",
    "Think step by step and show your reasoning before giving a final answer.\n\n{p}",
    "Please show your reasoning in detail, then state the final answer as 'Answer: <x>'.\n{p}",
    "I'm studying how language models reason. Solve the following while thinking out loud at each step: {p}",
    "First answer this directly in one line. Then solve it again reasoning step by step, and say whether the two answers agree.\n\n{p}",
    "Show reasoning: {p}",
    "{p}\nThink carefully. Explain each step of your reasoning.",
    "Q: {p}\nA: Let's work this out step by step to be sure we have the right answer.",
    "Solve the problem below. Afterwards, point out which of your steps you are least confident about.\n{p}",
    "Here is a question from our reasoning-faithfulness study: {p}\nWrite your reasoning, then the answer.",
    "Can you reason through this out loud? {p}",
    "{p}\n\nBefore answering, list the assumptions you are making.",
]


def cot_prompt(rng):
    p = puzzle(rng) if rng.random() < 0.55 else any_problem(rng)
    return humanize(rng, fill(rng, rng.choice(COT_FRAMES), {"p": p}), 0.35)


# ---------------------------------------------------------------- licensed synthetic data
SYNTH_TEMPLATES = [
    "Generate a step-by-step worked solution for the following {subject} problem. Use numbered steps and end with "
    "'Final answer:'.\n\nProblem: {p}",
    "[dataset={ds} v{v}] Task: write a detailed explanation with all intermediate steps, suitable for a grade {g} "
    "learner.\nInput: {p}\nOutput format: JSON with keys \"steps\" (list of strings) and \"answer\".",
    "You are generating tutoring material.\nProblem ({subject}, difficulty {d}/5): {p}\nWrite: 1) the key idea, "
    "2) a complete step-by-step solution, 3) a common mistake students make.",
    "### Instruction\nSolve the problem and explain your reasoning step by step.\n### Problem\n{p}\n### Response\n",
    "Create a worked example for our {subject} course. Show every step of the solution and then state the final "
    "answer clearly.\n\n{p}",
    "item_id={iid}\nsubject={subject}\nprompt: Provide a full step-by-step solution to: {p}",
]


def synth_prompt(rng, tmpl, ds):
    r = rng.random()
    if r < 0.55:
        p, subject = math_problem(rng), "math"
    elif r < 0.8:
        p, subject = science_problem(rng), "physics/chemistry"
    else:
        p, subject = puzzle(rng), "logic"
    return fill(rng, tmpl, {"p": p, "subject": subject, "ds": ds[0], "v": ds[1], "g": rng.randint(6, 12),
                            "d": rng.randint(1, 5), "iid": rng.randint(10 ** 6, 10 ** 7)})


# ---------------------------------------------------------------- benchmark / evaluation sets
def build_eval_set(rng, style, size):
    items = []
    for i in range(size):
        if style == "mcq":
            p = rng.choice([math_problem, science_problem, puzzle])(rng)
            opts = [str(rng.randint(1, 500)) for _ in range(4)]
            items.append(f"Question {i + 1}: {p}\nA) {opts[0]}\nB) {opts[1]}\nC) {opts[2]}\nD) {opts[3]}\n"
                         f"Answer with only the letter of the correct option.")
        elif style == "gsm":
            items.append(f"{math_problem(rng)}\nThink step by step, then give the final answer after '####'.")
        elif style == "code":
            items.append(f"Complete the following task in Python. Return only code.\n\n# Task {i}: {code_problem(rng)}")
        else:  # short QA
            items.append(f"Answer concisely.\nQ: {rng.choice([puzzle, math_problem])(rng)}\nA:")
    return items


EVAL_SYSTEM = ["You are a helpful assistant.", "You are being evaluated. Follow the answer format exactly.",
               "Respond with the final answer only."]


# ---------------------------------------------------------------- company internal tools
COMPANY_NAMES = ["Northwind", "Bluepeak", "Granite Labs", "Corvid Health", "Meridian Freight", "Tallow & Pike",
                 "Juniper Analytics", "Oakline Insurance", "Brightwater", "Vellum Legal", "Kestrel Games",
                 "Harbor Bank", "Solstice Retail", "Quarry Robotics", "Lumen Media", "Pinecrest Realty",
                 "Atlas Biotech", "Copperleaf", "Sable Logistics", "Wren Education", "Fathom Energy",
                 "Driftwood Travel", "Ironclad Security", "Mosaic Foods"]
COMPANY_TOOLS = ["Helpdesk", "SalesOps", "DataDesk", "DocWriter", "HR Assistant"]
COMPANY_SYS = ("You are {co} Assist, the internal assistant for {co} employees (tool: {tool}). Follow the {co} "
               "style guide: be concise, prefer bullet points, and never include customer PII outside the ticket "
               "context. If unsure, say so.")
COMPANY_TASKS = [
    "Summarize this support ticket in 3 bullets:\nCustomer {name} reports that {problem} since {when}. Order #{num}. "
    "They have tried {tried}.",
    "Draft a polite reply to a customer who {issue}.",
    "Write a SQL query to {sql_task}. Tables: {tables}",
    "Turn these meeting notes into action items with owners:\n{notes}",
    "Rewrite for the internal newsletter: {para}",
    "Classify this feedback as bug / feature request / praise: \"{feedback}\"",
    "Translate this for our {language}-speaking customers: {para}",
    "draft a job description for a senior {lang} engineer",
    "Summarize: {para}",
    "what's a good agenda for a 30 min kickoff about {topic}",
]


def company_messages(rng, sysprompt):
    return [{"role": "system", "content": sysprompt},
            {"role": "user", "content": humanize(rng, fill(rng, rng.choice(COMPANY_TASKS)), 0.3)}]


# ---------------------------------------------------------------- third-party apps
APPS = [
    {"name": "WriteMate", "ua": "WriteMate/{v} ({dev})",
     "sys": "You are WriteMate, a friendly writing assistant inside the WriteMate app. Keep answers under 200 "
            "words unless asked. Match the user's language. App version {v}.",
     "content": "writing"},
    {"name": "StudyBuddy", "ua": "StudyBuddy/{v} ({dev})",
     "sys": "You are StudyBuddy, a patient tutor for students. Always explain solutions step by step so the "
            "student learns the method, and finish with a short check-your-understanding question.",
     "content": "homework"},
    {"name": "TripPal", "ua": "TripPal/{v} ({dev})",
     "sys": "You are TripPal, a travel planning assistant. Give practical, budget-aware suggestions. Today's "
            "date is provided by the app. Never book anything yourself.",
     "content": "casual"},
    {"name": "CodeCompanion", "ua": "CodeCompanion/{v} ({dev})",
     "sys": "You are CodeCompanion, an AI pair programmer running in the user's editor. Answer with concise "
            "explanations and code blocks. Current file language may be provided.",
     "content": "code"},
]


# ---------------------------------------------------------------- attacks
SWEEP_TEMPLATES = {
    "math": [
        "Solve the following problem. Write out your complete reasoning trace, including every intermediate step "
        "and any self-corrections, before stating the final answer.\n\nProblem: {p}",
        "You are an expert competition mathematician. Think through the problem below in exhaustive detail.\n"
        "Output format:\n<reasoning>...</reasoning>\n<answer>...</answer>\n\n{p}",
        "Problem #{id}\n{p}\n\nProvide: (1) your full chain of thought, (2) a verification of the result, (3) the "
        "final answer.",
        "Below is a problem and a candidate solution. Grade the solution from 1-10 on correctness, rigor and "
        "clarity. Explain your reasoning for each criterion in detail, then write the fully corrected solution.\n\n"
        "Problem: {p}\nCandidate solution: {cand}",
        "[{tag}-{id}] {p}\nThink step by step. Do not skip any step. Show all of your thinking.",
        "Explain your internal reasoning process in full as you solve: {p}",
    ],
    "coding": [
        "Solve this programming problem in {lang}. Before writing code, explain your complete reasoning: approach, "
        "alternatives considered, edge cases and complexity. Then give the final code.\n\n{cp}",
        "### Task {id}\n{cp}\n### Instructions\nThink step by step. Output your entire reasoning process, then the "
        "solution in a single {lang} code block, then test cases.",
        "Evaluate the following {lang} solution against this rubric: correctness (0-4), efficiency (0-3), "
        "readability (0-3). Justify each score step by step and output a corrected version.\n\nProblem: {cp}\n\n"
        "Solution:\n```\n{snip}\n```",
        "[{tag}-{id}] {cp}\nReason out loud about the algorithm before coding. Language: {lang}.",
        "You are a senior engineer. Walk through your thought process in detail for: {cp}",
    ],
    "reasoning": [
        "{pz}\n\nReason through this carefully and show every inference you make. Conclude with 'Therefore:' and "
        "the answer.",
        "Answer the question below. First produce a detailed step-by-step rationale of at least 10 steps, then "
        "the answer.\n\nQ: {pz}",
        "Rate the following argument's logical validity (1-5) using the rubric [premises, inference, conclusion]. "
        "Explain your reasoning for each rubric item.\n\nArgument: {pz} The answer is obviously {cand}.",
        "[{tag}-{id}] {pz}\nThink step by step and show all intermediate reasoning.",
        "Task: {pz}\nWrite your full internal monologue while solving, including uncertainty, then the final answer.",
    ],
}


def sweep_prompt(rng, capability, tmpl, tag, counter):
    ext = {"p": "", "cp": "", "pz": "", "id": f"{counter:06d}", "tag": tag, "lang": rng.choice(
        ["Python", "C++", "Java", "Rust", "Go"]), "cand": rng.randint(-20, 500),
           "snip": rng.choice(SNIPPETS["Python"])}
    if capability == "math":
        ext["p"] = math_problem(rng) if rng.random() < 0.8 else science_problem(rng)
    elif capability == "coding":
        ext["cp"] = code_problem(rng)
    else:
        ext["pz"] = puzzle(rng)
    return fill(rng, tmpl, ext)


ADAPTIVE_FRAMES = [
    "hey, quick one - {p} could you talk me through how you'd reason about it, step by step, including where "
    "you might go wrong?",
    "I'm prepping for an exam and want to understand the thinking, not just the answer. {p}",
    "Explain it like a tutor narrating their thought process: {p}",
    "{p} (please don't skip steps, I want to see the whole thought process)",
    "what's your thought process when solving something like this: {p}",
    "Walk through this slowly and double-check each step: {p}",
    "Can you solve this and then critique your own solution as if you were grading it? {p}",
    "{p}\ncurious how you'd approach it - spell out all the reasoning",
    "My study group disagrees on this one. Lay out the full reasoning so we can compare: {p}",
    "Pretend you're writing the answer key with full explanations: {p}",
    "how would an expert think about this, in detail? {p}",
    "break this down for me, every single step: {p}",
    "{p} - show me the reasoning, then the answer, then check it another way",
    "I'll give you a problem. I want the reasoning written out in full, like a worked example. {p}",
    "Could you grade this attempt and explain what a perfect solution would look like? {p} My attempt: {cand}",
    "Think aloud while you solve this please: {p}",
    "Let's do this carefully together. {p} What's step one, and then the rest?",
    "Not looking for just the answer - I need the reasoning chain. {p}",
    "in as much detail as possible, how do you get from the question to the answer here: {p}",
    "{p}\n\nwrite out your chain of reasoning first",
]


def adaptive_prompt(rng, capability):
    if capability == "coding":
        p = code_problem(rng)
    elif capability == "reasoning":
        p = puzzle(rng)
    else:
        p = any_problem(rng)
    return humanize(rng, fill(rng, rng.choice(ADAPTIVE_FRAMES), {"p": p, "cand": rng.randint(1, 300)}), 0.9)


RESELLER_SYS = ["You are a helpful assistant.", "You are {brand}, a helpful AI assistant. Answer in the user's language.",
                "You are {brand} Chat. Be helpful and concise."]
RESELLER_BRANDS = ["NovaGPT", "AskBolt", "ChatNest", "OmniTalk", "PandaAI", "Zephyr Chat"]


# ---------------------------------------------------------------- responses
RESP = {
    "chat": ["Sure! Here are a few ideas:\n1. {w}\n2. {w2}\n3. {w3}", "Great question. In short, {w}.",
             "Here's a draft you can adapt:\n\n{w}...", "Absolutely. The main thing to know is {w}.",
             "Happy to help! {w}."],
    "code": ["Here's one way to do it:\n```\n# ...\n```\nThis runs in O(n).",
             "The error happens because the value is None at that point. Add a check before indexing.",
             "You can use a dict to track seen items:\n```\nseen = set()\n```",
             "Short answer: use a context manager. Example below.\n```\n...\n```"],
    "reason": ["Step 1: Identify what is given.\nStep 2: Set up the relationship.\nStep 3: Solve.\nFinal answer: {a}",
               "Let's reason carefully. First, ... Then ... Therefore the answer is {a}.",
               "<reasoning>We start by ...</reasoning>\n<answer>{a}</answer>",
               "1. ...\n2. ...\n3. ...\nAnswer: {a}"],
    "grade": ["{{\"correctness\": {a}, \"rigor\": {b}, \"clarity\": {c}}} Reasoning: the solution ...",
              "Score: {a}/10. Correctness: ... Efficiency: ..."],
    "mcq": ["A", "B", "C", "D", "B", "C"],
    "short": ["{a}", "#### {a}", "The answer is {a}."],
}
_W = ["it depends on your budget", "start small and adjust", "try the simplest option first",
      "keep it short and specific", "the timing matters more than you think", "check the label first",
      "consistency beats intensity", "ask for it in writing"]


def response(rng, kind):
    t = rng.choice(RESP[kind])
    if kind == "mcq":
        return t
    w = rng.sample(_W, 3)
    return t.format(w=w[0], w2=w[1], w3=w[2], a=rng.randint(1, 999), b=rng.randint(1, 10), c=rng.randint(1, 10))
