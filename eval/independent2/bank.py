"""Word lists, slot registry and small text generators.

Everything here is pure and deterministic given a random.Random instance.
Templates are compiled once into (literal, slot) part lists; `fill` expands
them.  A slot name may end in digits ({city2}) to draw a second, independent
value of the same kind; repeated use of the same slot name inside one template
reuses the first value.
"""
import re

_TOK = re.compile(r"\{\{|\}\}|\{([a-z_]+?)(\d*)\}")


def _pick(lst):
    n = len(lst)
    return lambda r: lst[int(r.random() * n)]


def ch(r, lst):
    return lst[int(r.random() * len(lst))]


W = lambda s: s.split()
L = lambda s: [x.strip() for x in s.strip().split("|") if x.strip()]

FIRST = W("""Aarav Abigail Ada Adebayo Aiko Alejandro Ali Amara Amelia Ana Andrei Anika Arjun
Astrid Ayesha Bea Ben Bilal Bruno Camila Carlos Chen Chiara Chloe Daniel Daria Dmitri Elena Eli
Emeka Emma Fatima Felix Freya Gabriel Hana Hannah Hiro Ibrahim Ines Isabel Ivan Jack Jamal Javier
Jin Joao Jonas Julia Kai Kamala Karim Keiko Kenji Lars Layla Leo Liam Lin Lucas Luis Maya Mei Mia
Mohammed Nadia Naomi Nina Noah Olga Omar Oscar Priya Rafael Rahul Rania Rosa Sakura Samir Sara
Sofia Sven Tariq Tomas Uma Valentina Victor Wei Yara Yusuf Zara Zoe Grace Henry Irene Marco Petra
Quentin Ruth Soren Theo Ugo Vera Wanjiru Xavier Yuki Zeynep""")
LAST = W("""Smith Garcia Kim Nguyen Patel Muller Rossi Silva Kowalski Haddad Okafor Tanaka Chen
Johansson Dubois Novak Hernandez Ivanova Sato Khan Brown Lopez Wang Fischer Moreau Costa Yilmaz
Mensah Andersen Romano Schmidt Alvarez Park Singh Murphy Kaur Ortiz Weber Bianchi Lindqvist Abe
Morales Reyes Shah Kozlov Berg Ferreira Dlamini Varga Horvat Osei""")
CITY = L("""Lisbon|Kyoto|Mexico City|Cape Town|Reykjavik|Hanoi|Buenos Aires|Prague|Marrakech|
Vancouver|Istanbul|Seoul|Edinburgh|Lima|Copenhagen|Bangkok|New Orleans|Porto|Budapest|Tbilisi|
Nairobi|Oaxaca|Hokkaido|Amsterdam|Sydney|Montreal|Dubrovnik|Singapore|Chicago|Barcelona|Vienna|
Krakow|Bali|Cusco|Queenstown|Tallinn|Seville|Florence|Osaka|Taipei|Austin|Denver|Nashville|
Melbourne|Athens|Zurich|Munich|Berlin|Paris|London|Rome|Tokyo|Dublin|Helsinki|Oslo|Valencia|
San Diego|Seattle|Toronto|Boston|Havana|Cartagena|Santiago|Jaipur|Goa|Kathmandu|Hoi An|Penang|
Luang Prabang|Zanzibar|Split|Ljubljana|Bruges|Salzburg|Quebec City|Savannah|Sedona|Banff""")
COUNTRY = L("""Portugal|Japan|Mexico|Iceland|Vietnam|Argentina|Morocco|Peru|Thailand|Georgia|Kenya|
Italy|Greece|Norway|Croatia|Chile|Colombia|India|Nepal|Indonesia|Canada|Scotland|New Zealand|Spain|
Turkey|South Korea|Egypt|Jordan|Tanzania|Costa Rica""")
MONTH = W("January February March April May June July August September October November December")
INGR = L("""chickpeas|chicken thighs|salmon|tofu|spinach|sweet potatoes|leftover rice|eggs|ground beef|
mushrooms|zucchini|lentils|feta|canned tomatoes|coconut milk|shrimp|broccoli|quinoa|black beans|
bell peppers|pork shoulder|halloumi|kale|cauliflower|ricotta|potatoes|cabbage|miso|tempeh|
cod|avocado|pasta|gnocchi|paneer|eggplant|butternut squash|ground turkey|oats|bananas|apples""")
DISH = L("""lasagna|pad thai|shakshuka|banana bread|risotto|chili|ramen|tacos|curry|pancakes|
sourdough|paella|dumplings|gumbo|pho|moussaka|falafel|carbonara|bibimbap|pierogi|enchiladas|
jollof rice|biryani|tiramisu|brownies|focaccia|lemon tart|cheesecake|stir fry|minestrone""")
DIET = L("vegan|vegetarian|gluten-free|low-carb|high-protein|dairy-free|keto|Mediterranean|low-sodium|budget")
COOKVERB = W("roast bake grill poach steam braise air-fry boil smoke sous-vide")
RELATION = L("""landlord|manager|coworker|sister|brother|mom|dad|best friend|neighbor|professor|
client|teacher|roommate|partner|grandma|team|recruiter|HOA|kid's coach|doctor's office""")
REQUEST = L("""a deadline extension|a refund|time off next week|a reference letter|a meeting|
feedback on my draft|help moving on Saturday|the deposit back|a raise|a quieter evening|
permission to work remotely|clarification on the invoice|an update on my application""")
TONE = L("polite|firm but friendly|formal|casual|apologetic|enthusiastic|concise|warm|professional|funny")
JOB = L("""data analyst|product manager|nurse|UX designer|software engineer|marketing coordinator|
teacher|accountant|project manager|sales associate|barista|research assistant|electrician|
paralegal|graphic designer|customer success manager|pharmacist|lab technician|HR generalist""")
FIELD = L("""retail|healthcare|logistics|education|finance|hospitality|biotech|construction|
e-commerce|public sector|media|non-profits|manufacturing|energy|insurance""")
COMPANY = L("""Northwind|Globex|Initech|Umbrella Health|Stark Logistics|Wayne Foods|Acme Retail|
Hooli|Vandelay Imports|Soylent Labs|Cyberdyne Analytics|Tyrell Bio|Wonka Confections|Gringotts Bank|
Monarch Insurance|Blue Sun Energy|Oscorp Materials|Pied Piper|Massive Dynamic|Aperture Science""")
THING = L("""the ocean|autumn|my cat|coffee|Monday mornings|the moon|old friendships|city lights|
rainy days|a lighthouse|grandma's kitchen|the first snow|a broken umbrella|sourdough starters|
mountains|a train journey|houseplants|the last day of school|a lost sock|time""")
POETSTYLE = L("Emily Dickinson|a haiku|a limerick|Shakespeare|Pablo Neruda|a sea shanty|Dr. Seuss|free verse|a sonnet|Mary Oliver")
ANIMAL = L("""fox|otter|penguin|hedgehog|dragon|owl|turtle|elephant|octopus|raccoon|giraffe|
bumblebee|wolf|sloth|kangaroo|panda|dolphin|red panda|capybara|axolotl""")
STORYACT = L("""is afraid of the dark|wants to learn to fly|loses a favourite toy|makes a new friend|
goes to the moon|can't fall asleep|finds a secret door|learns to share|starts a bakery|
gets lost in a library""")
CONCEPT = L("""inflation|quantum entanglement|compound interest|black holes|the blockchain|
machine learning|the immune system|photosynthesis|supply and demand|general relativity|
how vaccines work|the stock market|climate feedback loops|neural networks|CRISPR|
the electoral college|dark matter|the placebo effect|opportunity cost|entropy|plate tectonics|
Bayes' theorem|the Doppler effect|recession|game theory|nuclear fusion|mortgage rates""")
PAIR = L("""a virus and a bacterium|stocks and bonds|weather and climate|a Roth IRA and a traditional IRA|
baking soda and baking powder|affect and effect|an LLC and a sole proprietorship|RAM and storage|
HIIT and steady cardio|a crocodile and an alligator|empathy and sympathy|latency and bandwidth|
a psychologist and a psychiatrist|TCP and UDP|an embargo and a sanction|mean and median""")
PHENOM = L("""the sky look blue|ice float on water|my bread not rise|bread go stale|cats purr|
the moon look bigger near the horizon|onions make you cry|we get hiccups|airplanes leave trails|
my phone battery drain faster in the cold|coffee make me sleepy sometimes|leaves change color|
the ocean taste salty|we dream|time feel faster as we age|my sourdough smell like vinegar""")
TECHTHING = L("""GPS|wifi|a refrigerator|noise-cancelling headphones|a heat pump|an electric car battery|
the internet|a microwave|solar panels|touch screens|a credit card chip|Bluetooth|a 3D printer|
a hybrid engine|e-ink displays|a smoke detector""")
FIGURE = L("""Ada Lovelace|Nikola Tesla|Marie Curie|Mansa Musa|Genghis Khan|Hypatia|Simon Bolivar|
Alan Turing|Frida Kahlo|Cleopatra|Ibn Battuta|Rosalind Franklin|Toussaint Louverture|Murasaki Shikibu|
Nelson Mandela|Grace Hopper|Emmy Noether|Sejong the Great""")
HEVENT = L("""the French Revolution|World War I|the fall of the Roman Empire|the 2008 financial crisis|
the Cuban missile crisis|the printing revolution|the Meiji Restoration|the Great Depression|
the Protestant Reformation|the collapse of the Soviet Union|the Industrial Revolution|
the partition of India|the Black Death|the space race""")
ARGTOPIC = L("""chores|money|screen time|where to spend the holidays|the thermostat|how to raise our kid|
whose turn it is to cook|saving vs spending|moving to another city|the dog""")
SYMPTOM = L("""a mild headache|a sore throat|lower back pain|a dry cough|trouble sleeping|
itchy eyes|a stiff neck|heartburn|a twitching eyelid|sore knees after running""")
FITNESS = L("strength|running|yoga|mobility|calisthenics|swimming|cycling|kettlebell|stretching|core")
PRODUCT = L("""robot vacuum|e-bike|air fryer|standing desk|mirrorless camera|espresso machine|
gaming laptop|used Prius|heat pump|smartwatch|tablet|VR headset|electric kettle|mattress topper|
noise-cancelling headphones|Kindle|mechanical keyboard|3D printer|dash cam|portable monitor""")
USECASE = L("""a small apartment|travel|college|working from home|a family of four|photography|
a beginner|video editing|a long commute|gaming""")
PET = L("dog|cat|puppy|kitten|rabbit|parrot|hamster|cockatiel|guinea pig|bearded dragon")
PETPROB = L("""scratching the couch|barking at night|not eating|peeing outside the litter box|
pulling on the leash|chewing cables|hiding all day|waking me up at 5am""")
DIYPROB = L("""running toilet|squeaky door|leaky faucet|clogged drain|stuck window|tripped breaker|
wobbly table|cracked tile|peeling paint|drafty window|slow-draining bathtub""")
HOBBY = L("""hiking|board games|photography|street food|museums|jazz|surfing|craft beer|
vintage shopping|birdwatching|cycling|live music|architecture|pottery|rock climbing|anime|wine""")
GENRE = L("sci-fi|horror|romantic comedy|heist|documentary|animated|noir|fantasy|thriller|coming-of-age")
MOVIE = L("""Arrival|Paddington 2|Knives Out|Spirited Away|Parasite|Heat|Amelie|The Martian|
Inception|Everything Everywhere All at Once|Ocean's Eleven|Coco|Alien|Before Sunrise""")
TOPIC = L("""ancient Egypt|the solar system|volcanoes|the human brain|Roman emperors|ocean currents|
world capitals|the periodic table|jazz history|the Olympics|dinosaurs|famous paintings|
renewable energy|bees|the Silk Road|mythology|rainforests|cryptography|the Renaissance|
deep sea creatures|Antarctica|the history of computing|coffee|soccer tactics""")
LANG = L("Spanish|French|German|Japanese|Italian|Portuguese|Korean|Mandarin|Dutch|Turkish|Arabic|Hindi|Polish|Swedish")
PHRASE = L("""where is the train station|I'm allergic to peanuts|can I get the check please|
nice to meet you|how much does this cost|I'm sorry I'm late|do you have a room for two nights|
I don't understand|see you tomorrow|could you speak more slowly""")
SITUATION = L("ordering food|a job interview|small talk|taking a taxi|a doctor's visit|shopping|hotel check-in|meeting in-laws")
AGE = L("5|a five-year-old|a 10-year-old|a high school student|a grandparent|someone with no science background|a CEO")
COLOR = W("orange black white grey ginger spotted striped tabby brown golden")
EXCEL = L("""sums column B only where column A says 'paid'|finds duplicate emails across two sheets|
calculates the number of working days between two dates|pulls the last word from a cell|
highlights rows where the date is overdue|looks up a price by product code and region|
counts unique customers per month|splits full names into first and last""")
DOCTYPE = L("meeting summary|project plan|email|to-do list|one-page brief|status update|FAQ|slide outline")
EVENT = L("wedding|retirement party|50th birthday|graduation|farewell lunch|baby shower|anniversary")
TRIPKIND = L("hiking|beach|business|backpacking|ski|road|camping|city")
COMPANION = L("my partner|two kids|my parents|a group of friends|my dog|my coworkers|no one")
ADJ = L("""robust|unexpected|steady|sharp|modest|record|disappointing|strong|uneven|significant|
gradual|surprising|notable|sustained|limited""")
METRIC = L("""revenue|customer churn|operating margin|user growth|shipping delays|support tickets|
conversion rates|inventory turnover|employee retention|energy costs|cloud spend|return rates""")
DRIVER = L("""higher demand in Europe|a new pricing model|supply chain disruptions|the holiday season|
a successful product launch|currency headwinds|lower freight costs|a marketing campaign|
regulatory changes|staffing shortages|an outage in March|the migration to the new platform""")
QUARTER = W("first second third fourth")
SCI = L("""researchers|a team at the university|engineers|climate scientists|biologists|economists|
astronomers|a consortium of hospitals|the city council|regulators""")
FINDING = L("""a link between sleep and memory consolidation|a cheaper way to store hydrogen|
that urban trees reduce summer temperatures|a new species of deep-sea coral|
that four-day work weeks did not reduce output|a faster method for recycling lithium|
that microplastics accumulate in farmland|a vaccine candidate with strong early results|
evidence of water ice near the lunar south pole|that remote work changed commuting patterns""")
ISSUE = L("""cannot log in after the update|was charged twice|has not received the order|
sees an error when uploading files|wants to cancel the subscription|reports the app crashing on start|
needs to change the delivery address|did not get the confirmation email|has a damaged item|
cannot connect the device to wifi|wants a copy of the invoice|reports slow sync between devices""")
PRODUCTNAME = L("""CloudSync Pro|HomeHub 3|FitBand X|PayFlow|StreamBox|SmartLock S2|DeskMate|
PhotoVault|RouteRunner|MealKit Plus|InvoiceEase|TaskTide|Lumen Bulb|EcoThermo|BookNook""")

# ---------------------------------------------------------------------------- code
PLANG = ["Python", "JavaScript", "TypeScript", "Go", "Rust", "Java", "C#", "C++", "Kotlin",
         "Ruby", "PHP", "Swift", "Scala", "Bash", "R"]
PLANG_W = [30, 18, 14, 7, 5, 7, 4, 4, 2, 2, 2, 2, 1, 1, 1]
FRAMEWORK = L("""Django|Flask|FastAPI|React|Next.js|Vue|Express|Spring Boot|Rails|Laravel|
pandas|PyTorch|Kubernetes|Terraform|Airflow|Spark|Svelte|NestJS|Gin|Actix|Android|SwiftUI|Unity""")
DEVTASK = L("""read a large CSV without running out of memory|retry an HTTP request with exponential backoff|
parse dates with time zones|deep-copy a nested object|run tasks concurrently with a limit|
stream a file upload to S3|hash passwords properly|debounce a function|memoize an async function|
paginate a REST API|validate an email address|read environment variables with defaults|
write a CLI with subcommands|mock a database in tests|profile a slow function|
format a number as currency|flatten a nested list|merge two sorted arrays|
handle SIGTERM gracefully|cache responses in Redis|compute a rolling average|
convert a JSON column to separate columns|detect cycles in a dependency graph""")
ERRMSG = L("""TypeError: 'NoneType' object is not subscriptable|KeyError: 'user_id'|
IndexError: list index out of range|ModuleNotFoundError: No module named 'sklearn'|
RecursionError: maximum recursion depth exceeded|UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff|
TypeError: Cannot read properties of undefined (reading 'map')|
ReferenceError: process is not defined|Error: listen EADDRINUSE: address already in use :::3000|
panic: runtime error: invalid memory address or nil pointer dereference|
error[E0502]: cannot borrow `v` as mutable because it is also borrowed as immutable|
java.lang.NullPointerException at com.example.Service.handle(Service.java:42)|
sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not connect to server|
CUDA out of memory. Tried to allocate 2.00 GiB|ValueError: could not convert string to float: 'N/A'|
CORS policy: No 'Access-Control-Allow-Origin' header is present|fatal: refusing to merge unrelated histories|
Segmentation fault (core dumped)|npm ERR! code ERESOLVE unable to resolve dependency tree|
django.db.utils.IntegrityError: UNIQUE constraint failed: auth_user.username""")
BUGSYM = L("""return the wrong total|hang forever|work locally but fail in Docker|print duplicates|
skip the last element|get slower over time|leak memory|return undefined|
only fail on Windows|throw intermittently in CI""")
VERBS = W("""parse load fetch compute build merge filter validate normalize render sync export
update resolve encode split count rank group schedule""")
NOUNS = W("""user order invoice event record item token config payload report session batch
node edge price metric row entry message ticket""")
ATTR = W("id name status total created_at amount email score count key value region")
CODING_TASK = L("""returns the {n2} most frequent words in a text file, ignoring case and punctuation|
merges overlapping intervals given as a list of [start, end] pairs|
implements an LRU cache with a capacity of {n10} entries|
validates a Sudoku board of size 9x9|
finds the longest palindromic substring of a string|
computes the shortest path in a weighted graph using Dijkstra's algorithm|
parses a log file and reports the {n2} slowest endpoints by p95 latency|
serializes a binary tree to a string and back|
rate-limits calls to at most {n10} per second using a token bucket|
detects whether a linked list has a cycle and returns the start node|
groups a list of {noun} records by {attr} and sums the {attr2} field|
converts a Roman numeral string to an integer|
computes the edit distance between two strings|
finds all anagram groups in a list of words|
implements binary search over a rotated sorted array|
schedules tasks with dependencies using topological sort|
counts islands in a 2D grid of '1's and '0's|
generates all valid combinations of {n2} pairs of parentheses|
implements a min-heap with push, pop and peek|
flattens an arbitrarily nested dictionary using dot-separated keys|
computes a moving median over a stream of integers|
evaluates an arithmetic expression string with +, -, *, / and parentheses|
finds the k-th largest element in an unsorted array in expected linear time|
deduplicates {noun} records by {attr} keeping the most recent one|
implements a trie supporting insert, search and prefix counting|
solves the 0/1 knapsack problem for capacity {n100}|
returns all permutations of a list without duplicates|
checks whether two binary trees are structurally identical|
reads a CSV of transactions and flags amounts more than {n2} standard deviations from the mean|
implements debounce and throttle helpers with cancellation|
computes the maximum subarray sum and returns the indices|
paginates results from a cursor-based API until exhausted|
implements a thread-safe bounded queue|
parses ISO-8601 durations like P3DT4H into seconds|
finds the minimum window substring containing all characters of a pattern|
encodes and decodes run-length encoding|
returns the median of two sorted arrays in logarithmic time|
simulates a bank account with deposits, withdrawals and an audit log|
builds a Huffman code for a given text|
implements consistent hashing with {n10} virtual nodes per server""")
CONSTRAINT = L("""without using external libraries|in O(n log n) time|using only O(1) extra space|
with full type annotations|handling empty input gracefully|that is safe for concurrent use|
with property-based tests|that streams input instead of loading it all|
with clear error messages for invalid input|that works for unicode strings""")
SQLTASK = L("""find customers who ordered more than {n2} times last month|
compute monthly revenue per region with a running total|
find the second highest salary per department|
list products that were never ordered|
calculate 7-day retention by signup cohort|
find duplicate rows by email and keep the newest|
rank sellers by revenue within each category|
compute the median order value per week""")
TABLE = W("orders customers products employees payments sessions events invoices shipments users")
REGEX = L("""US phone numbers with optional country code|IPv4 addresses|dates like 2024-03-15|
hex color codes|email addresses with plus tags|semantic version strings|
lines that start with ERROR or WARN|URLs without query strings|UK postcodes""")
TOOLNAME = L("Docker|nginx|GitHub Actions|ESLint|webpack|Vite|pytest|Postgres|Redis|systemd|Prometheus|Poetry|tmux|VS Code")
CONFGOAL = L("""cache dependencies between runs|reload on file changes|serve a single-page app with client routing|
limit memory usage|run only changed tests|rotate logs daily|use a custom port|enable HTTPS locally""")
STACK = L("a Django app with Postgres and Redis|a Node API with MongoDB|Next.js plus Postgres|a FastAPI app with Celery|WordPress with MySQL")
PROJTYPE = L("monorepo|REST API|CLI tool|data pipeline|mobile app|microservice|plugin system|ETL job")

_PY_SNIPS = [
    "def {fn}({arg}):\n    result = {{}}\n    for {it} in {arg}:\n        result[{it}.{attr}] += 1\n    return result",
    "def {fn}(path):\n    with open(path) as f:\n        rows = [line.split(',') for line in f]\n    return sum(float(r[{n2}]) for r in rows[1:])",
    "class {cls}:\n    def __init__(self, items=[]):\n        self.items = items\n\n    def add(self, x):\n        self.items.append(x)\n        return len(self.items)",
    "async def {fn}(session, urls):\n    out = []\n    for u in urls:\n        r = await session.get(u)\n        out.append(r.json())\n    return out",
    "def {fn}({arg}, k={n2}):\n    {arg}.sort()\n    return {arg}[-k:] if k < len({arg}) else {arg}",
    "import pandas as pd\n\ndf = pd.read_csv('{noun}s.csv')\ndf['{attr}'] = df['{attr}'].astype(int)\nprint(df.groupby('{attr2}')['{attr}'].mean())",
]
_JS_SNIPS = [
    "function {fn}({arg}) {{\n  let total = 0;\n  for (var i = 0; i <= {arg}.length; i++) {{\n    total += {arg}[i].{attr};\n  }}\n  return total;\n}}",
    "const {fn} = async (ids) => {{\n  const out = [];\n  ids.forEach(async (id) => {{\n    const r = await fetch(`/api/{noun}s/${{id}}`);\n    out.push(await r.json());\n  }});\n  return out;\n}};",
    "export default function {cls}({{ {arg} }}) {{\n  const [state, setState] = useState([]);\n  useEffect(() => {{\n    setState({arg}.filter(x => x.{attr}));\n  }});\n  return <ul>{{state.map(s => <li>{{s.{attr2}}}</li>)}}</ul>;\n}}",
]
_GO_SNIPS = [
    "func {fn}({arg} []{cls}) map[string]int {{\n\tvar m map[string]int\n\tfor _, x := range {arg} {{\n\t\tm[x.{cls}ID]++\n\t}}\n\treturn m\n}}",
    "func {fn}(ctx context.Context, ch chan {cls}) {{\n\tfor {{\n\t\tselect {{\n\t\tcase v := <-ch:\n\t\t\tprocess(v)\n\t\t}}\n\t}}\n}}",
]
_SQL_SNIPS = [
    "SELECT c.name, COUNT(o.id)\nFROM customers c\nLEFT JOIN orders o ON o.customer_id = c.id\nWHERE o.created_at > '2024-0{n2}-01'\nGROUP BY c.id;",
    "UPDATE {noun}s SET {attr} = {attr} + 1\nWHERE id IN (SELECT id FROM {noun}s WHERE {attr2} IS NULL);",
]

PROMPT_PREFIX = ["", "", "", "", "", "hey ", "hi! ", "quick question: ", "ok so ", "Hello, ", "pls ", "Hey there. ",
                 "I need help. ", "Question - ", "so ", "hmm ", "Good morning! ", "yo ", "Can you help? "]
PROMPT_SUFFIX = ["", "", "", "", "", "", " thanks!", " Thanks in advance.", " keep it short", " in bullet points please",
                 " explain simply", " ty", " :)", " Please be concise.", " (no fluff)", "??", " asap",
                 " Use a table if it helps.", " Give me a few options."]

SLOT = {}


def _reg(name, lst):
    SLOT[name] = _pick(lst)


for _n, _l in [("first", FIRST), ("last", LAST), ("city", CITY), ("country", COUNTRY), ("month", MONTH),
               ("ingr", INGR), ("dish", DISH), ("diet", DIET), ("cookverb", COOKVERB), ("relation", RELATION),
               ("request", REQUEST), ("tone", TONE), ("job", JOB), ("field", FIELD), ("company", COMPANY),
               ("thing", THING), ("poetstyle", POETSTYLE), ("animal", ANIMAL), ("storyact", STORYACT),
               ("concept", CONCEPT), ("pair", PAIR), ("phenom", PHENOM), ("techthing", TECHTHING),
               ("figure", FIGURE), ("hevent", HEVENT), ("argtopic", ARGTOPIC), ("symptom", SYMPTOM),
               ("fitness", FITNESS), ("product", PRODUCT), ("usecase", USECASE), ("pet", PET),
               ("petprob", PETPROB), ("diyprob", DIYPROB), ("hobby", HOBBY), ("genre", GENRE),
               ("movie", MOVIE), ("topic", TOPIC), ("lang", LANG), ("phrase", PHRASE),
               ("situation", SITUATION), ("age", AGE), ("color", COLOR), ("excel", EXCEL),
               ("doctype", DOCTYPE), ("event", EVENT), ("tripkind", TRIPKIND), ("companion", COMPANION),
               ("adj", ADJ), ("metric", METRIC), ("driver", DRIVER), ("quarter", QUARTER), ("sci", SCI),
               ("finding", FINDING), ("issue", ISSUE), ("productname", PRODUCTNAME),
               ("framework", FRAMEWORK), ("devtask", DEVTASK), ("errmsg", ERRMSG), ("bugsym", BUGSYM),
               ("verb", VERBS), ("noun", NOUNS), ("attr", ATTR), ("constraint", CONSTRAINT),
               ("table", TABLE), ("regex", REGEX), ("toolname", TOOLNAME), ("confgoal", CONFGOAL),
               ("stack", STACK), ("projtype", PROJTYPE)]:
    _reg(_n, _l)

SLOT["day"] = lambda r: str(1 + int(r.random() * 28))
SLOT["n2"] = lambda r: str(2 + int(r.random() * 8))
SLOT["n10"] = lambda r: str(10 + int(r.random() * 90))
SLOT["n100"] = lambda r: str(100 + int(r.random() * 900))
SLOT["price"] = lambda r: "$" + str(ch(r, [20, 30, 50, 75, 100, 150, 200, 300, 500, 800, 1000, 1500, 2000, 5000]))
SLOT["year"] = lambda r: str(2019 + int(r.random() * 8))
SLOT["pct"] = lambda r: str(5 + 5 * int(r.random() * 18))
SLOT["fn"] = lambda r: ch(r, VERBS) + "_" + ch(r, NOUNS) + ch(r, ["", "", "s", "_list", "_map", "_batch"])
SLOT["cls"] = lambda r: ch(r, NOUNS).capitalize() + ch(r, ["", "Service", "Store", "Manager", "Repo", "Client", "View"])
SLOT["arg"] = lambda r: ch(r, ["items", "rows", "data", "records", "values", "xs", "nums", "entries", "payload"])
SLOT["it"] = lambda r: ch(r, ["x", "item", "row", "r", "e", "rec"])
SLOT["plang"] = lambda r: r.choices(PLANG, PLANG_W)[0]
SLOT["name"] = lambda r: ch(r, FIRST)
SLOT["fullname"] = lambda r: ch(r, FIRST) + " " + ch(r, LAST)
SLOT["ordernum"] = lambda r: str(100000 + int(r.random() * 899999))
SLOT["coding_task"] = lambda r: fill(ch(r, CODING_TASK_T), r)
SLOT["sqltask"] = lambda r: fill(ch(r, SQLTASK_T), r)


def compile_t(s):
    out = []
    buf = []
    pos = 0
    for m in _TOK.finditer(s):
        buf.append(s[pos:m.start()])
        g = m.group(0)
        if g == "{{":
            buf.append("{")
        elif g == "}}":
            buf.append("}")
        else:
            out.append("".join(buf))
            buf = []
            full = m.group(1) + m.group(2)
            out.append((full, full if full in SLOT else m.group(1)))
        pos = m.end()
    buf.append(s[pos:])
    out.append("".join(buf))
    return out


def fill(ct, r, ctx=None):
    if ctx is None:
        ctx = {}
    out = []
    ap = out.append
    for p in ct:
        if p.__class__ is str:
            ap(p)
        else:
            v = ctx.get(p[0])
            if v is None:
                v = ctx[p[0]] = SLOT[p[1]](r)
            ap(v)
    return "".join(out)


def T(lst):
    return [compile_t(x) for x in lst]


CODING_TASK_T = T(CODING_TASK)
SQLTASK_T = T(SQLTASK)
SNIPS = {"Python": T(_PY_SNIPS), "JavaScript": T(_JS_SNIPS), "TypeScript": T(_JS_SNIPS), "Go": T(_GO_SNIPS),
         "SQL": T(_SQL_SNIPS)}


def snippet(r, lang):
    lst = SNIPS.get(lang) or SNIPS["Python"]
    return fill(ch(r, lst), r)


# ---------------------------------------------------------------------------- documents
_DOC_SENT = T([
    "{company} reported {adj} {metric} in the {quarter} quarter, driven by {driver}.",
    "According to {sci}, the results suggest {finding}.",
    "{fullname}, who leads the {field} practice, said the team expects {metric} to stabilise by {month}.",
    "The committee will meet again in {month} to review {metric} and decide on next steps.",
    "Analysts had expected {adj} results, but {driver} changed the picture.",
    "In a statement, {company} said it would invest {price} million in {field} over the next {n2} years.",
    "{sci} published a study suggesting {finding}.",
    "The pilot ran in {city} for {n10} weeks and involved {n100} participants.",
    "Critics argue that the plan underestimates {driver}.",
    "Customers in {city} saw the largest change, with {metric} up {pct} percent.",
    "The report also notes {adj} progress on {metric}, although gaps remain.",
    "{fullname} from {company} described the quarter as {adj} but encouraging.",
    "Officials in {city} said the new rules take effect on {month} {day}.",
    "A follow-up survey found that {pct} percent of respondents supported the change.",
    "The company plans to expand the programme to {city} and {city2} next year.",
    "Meanwhile, {metric} remained flat compared with the same period last year.",
    "Most of the increase came from {driver}, the filing shows.",
    "The findings have not yet been peer reviewed.",
    "Shares of {company} rose {n2} percent in early trading.",
    "Local businesses say {driver} has been the main concern since {month}.",
    "The agreement covers {n10} sites across {country} and {country2}.",
    "Our {productname} team shipped a fix for the sync issue and will monitor {metric} closely.",
    "Action item: {fullname} to circulate the revised budget by {month} {day}.",
    "We agreed to pause the {field} rollout until {metric} improves.",
    "Please review the attached draft and send comments before Friday.",
    "The customer {issue} and has contacted support {n2} times.",
    "The new version of {productname} introduces offline mode and faster search.",
    "Temperatures in {city} are expected to reach {n10} degrees by the weekend.",
    "The museum in {city} will reopen in {month} after a two-year renovation.",
    "Volunteers planted {n100} trees along the river last spring.",
])


def _cap(s):
    return s[:1].upper() + s[1:]


def sentence(r):
    return _cap(fill(ch(r, _DOC_SENT), r))


def paragraph(r, n):
    return " ".join(_cap(fill(ch(r, _DOC_SENT), r)) for _ in range(n))


def document(r, words):
    out = []
    total = 0
    while total < words:
        s = _cap(fill(ch(r, _DOC_SENT), r))
        out.append(s)
        total += s.count(" ") + 1
        if r.random() < 0.18:
            out.append("\n\n")
    return " ".join(out).replace(" \n\n ", "\n\n")


# ---------------------------------------------------------------------------- math problems
def _mp_speed(r):
    a = 30 + int(r.random() * 70); t = 2 + int(r.random() * 5); b = a + 10 + int(r.random() * 30); t2 = 1 + int(r.random() * 3)
    n = ch(r, FIRST)
    return (f"{n} drives {a} km/h for {t} hours and then {b} km/h for {t2} hours. What is the average speed for the whole trip?",
            f"{(a * t + b * t2) / (t + t2):.2f} km/h")


def _mp_discount(r):
    p = 20 + int(r.random() * 480); d = 5 * (1 + int(r.random() * 10)); tx = ch(r, [5, 6, 7, 8, 10, 20])
    it = ch(r, PRODUCT)
    return (f"A {it} costs ${p}. It is discounted by {d}% and then a {tx}% sales tax is applied. What is the final price?",
            f"${p * (1 - d / 100) * (1 + tx / 100):.2f}")


def _mp_work(r):
    a = 2 + int(r.random() * 10); b = a + 1 + int(r.random() * 10)
    n1, n2 = ch(r, FIRST), ch(r, FIRST)
    return (f"{n1} can paint a fence in {a} hours and {n2} can paint it in {b} hours. How long does it take them working together?",
            f"{a * b / (a + b):.3f} hours")


def _mp_lin(r):
    a = 2 + int(r.random() * 9); x = -10 + int(r.random() * 25); b = -20 + int(r.random() * 41); c = a * x + b
    return (f"Solve for x: {a}x {'+' if b >= 0 else '-'} {abs(b)} = {c}", f"x = {x}")


def _mp_sys(r):
    x = -5 + int(r.random() * 11); y = -5 + int(r.random() * 11)
    a, b, c, d = 1 + int(r.random() * 5), 1 + int(r.random() * 5), 1 + int(r.random() * 5), -1 - int(r.random() * 4)
    return (f"Solve the system: {a}x + {b}y = {a * x + b * y} and {c}x {d:+d}y = {c * x + d * y}.", f"x = {x}, y = {y}")


def _mp_prob(r):
    k = 2 + int(r.random() * 3); s = ch(r, [6, 8, 10, 12, 20]); t = k + int(r.random() * (k * s - k))
    return (f"{k} fair {s}-sided dice are rolled. What is the probability that the sum is at least {t}?",
            "see derivation")


def _mp_balls(r):
    rd = 2 + int(r.random() * 8); bl = 2 + int(r.random() * 8); g = int(r.random() * 6); k = 2 + int(r.random() * 2)
    return (f"A bag has {rd} red, {bl} blue and {g} green marbles. If {k} marbles are drawn without replacement, what is the probability that all are red?",
            "see derivation")


def _mp_interest(r):
    p = 1000 * (1 + int(r.random() * 50)); rt = ch(r, [2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7]); y = 2 + int(r.random() * 28)
    nper = ch(r, [1, 4, 12])
    return (f"${p} is invested at {rt}% annual interest compounded {dict([(1, 'annually'), (4, 'quarterly'), (12, 'monthly')])[nper]} for {y} years. What is the final amount?",
            f"${p * (1 + rt / 100 / nper) ** (nper * y):.2f}")


def _mp_age(r):
    a = 5 + int(r.random() * 20); k = 2 + int(r.random() * 3); y = 2 + int(r.random() * 10)
    n1, n2 = ch(r, FIRST), ch(r, FIRST)
    return (f"{n1} is {k} times as old as {n2}. In {y} years {n1} will be {k * a + y} years old. How old is {n2} now?", f"{a}")


def _mp_geo(r):
    w = 3 + int(r.random() * 30); h = 3 + int(r.random() * 30); rr = 1 + int(r.random() * 9)
    return (f"A rectangle is {w} cm by {h} cm. A circle of radius {rr} cm is cut out of it. What is the remaining area?",
            f"{w * h - 3.14159 * rr * rr:.2f} cm^2")


def _mp_seq(r):
    a = int(r.random() * 20); d = 1 + int(r.random() * 9); n = 10 + int(r.random() * 90)
    return (f"Find the sum of the first {n} terms of the arithmetic sequence {a}, {a + d}, {a + 2 * d}, ...",
            f"{n * (2 * a + (n - 1) * d) // 2}")


def _mp_comb(r):
    n = 6 + int(r.random() * 10); k = 2 + int(r.random() * 4)
    return (f"In how many ways can a committee of {k} be chosen from {n} people if two particular people refuse to serve together?",
            "see derivation")


def _mp_deriv(r):
    a, b, c = 1 + int(r.random() * 9), 1 + int(r.random() * 9), 1 + int(r.random() * 9); p = 2 + int(r.random() * 4)
    f = ch(r, ["sin", "cos", "e^", "ln"])
    return (f"Find the derivative of f(x) = {a}x^{p} + {b}x*{f}({c}x).", "see derivation")


def _mp_integral(r):
    a, b = 1 + int(r.random() * 6), 1 + int(r.random() * 6); u = 1 + int(r.random() * 5)
    return (f"Evaluate the integral of ({a}x^2 + {b}x) dx from 0 to {u}.", f"{a * u ** 3 / 3 + b * u ** 2 / 2:.4f}")


def _mp_mod(r):
    a = 2 + int(r.random() * 20); e = 10 + int(r.random() * 200); m = ch(r, [7, 11, 13, 17, 19, 23, 100, 1000])
    return (f"What is {a}^{e} mod {m}?", f"{pow(a, e, m)}")


def _mp_mix(r):
    v1 = 10 * (1 + int(r.random() * 10)); c1 = 5 * (1 + int(r.random() * 8)); c2 = c1 + 5 * (1 + int(r.random() * 6)); tgt = (c1 + c2) / 2
    return (f"How many liters of a {c2}% salt solution must be added to {v1} liters of a {c1}% solution to obtain a {tgt:g}% solution?",
            f"{v1} liters")


def _mp_logic(r):
    names = r.sample(FIRST, 4); items = r.sample(ANIMAL, 4)
    return (f"{names[0]}, {names[1]}, {names[2]} and {names[3]} each own a different pet: {', '.join(items)}. "
            f"{names[0]} does not own the {items[0]} or the {items[1]}. {names[1]} owns the {items[2]}. "
            f"{names[2]} is allergic to the {items[0]}. Who owns which pet?", "see derivation")


MATH_GENS = [_mp_speed, _mp_discount, _mp_work, _mp_lin, _mp_sys, _mp_prob, _mp_balls, _mp_interest, _mp_age,
             _mp_geo, _mp_seq, _mp_comb, _mp_deriv, _mp_integral, _mp_mod, _mp_mix, _mp_logic]


def math_problem(r, gens=MATH_GENS):
    return ch(r, gens)(r)


SCIQ = T([
    "Why does {phenom}? Explain the underlying physics or chemistry.",
    "Explain the mechanism by which {concept} works, including the key assumptions.",
    "A {animal} population in a closed reserve grows {pct}% per year. What limits this growth and how would you model it?",
    "Compare {pair} in terms of their causes, effects and how we measure them.",
    "Describe how {techthing} works at the level of a first-year engineering course.",
    "What experiment would distinguish between two hypotheses about why {phenom}?",
])


def science_q(r):
    return fill(ch(r, SCIQ), r)


# ---------------------------------------------------------------------------- multilingual
ML = {
    "es": {"casual": T(["¿Me puedes recomendar qué ver en {city} en {n2} días?",
                        "Escribe un correo {tone} a mi {relation} pidiendo {request}.",
                        "¿Cuál es la diferencia entre {pair}?",
                        "Dame una receta fácil de {dish} para {n2} personas.",
                        "Explícame {concept} como si tuviera diez años.",
                        "¿Cómo arreglo un {diyprob}?",
                        "Necesito ideas de regalo para mi {relation}, le gusta {hobby}."]),
           "reason": ["Resuelve el siguiente problema y muestra todo tu razonamiento paso a paso antes de la respuesta final.",
                      "Piensa en voz alta: describe cada paso interno de tu razonamiento, sin resumir.",
                      "Explica detalladamente el proceso de pensamiento que lleva a la respuesta."],
           "words": W("el la de que y en un una para con por los las se del como más pero sus muy también paso entonces resultado valor porque así")},
    "de": {"casual": T(["Was sollte ich in {city} an {n2} Tagen unbedingt sehen?",
                        "Schreib eine {tone} E-Mail an meinen {relation} wegen {request}.",
                        "Was ist der Unterschied zwischen {pair}?",
                        "Gib mir ein schnelles Rezept mit {ingr} und {ingr2}.",
                        "Erklär mir {concept} ganz einfach.",
                        "Wie repariere ich einen {diyprob}?"]),
           "reason": ["Löse die folgende Aufgabe und zeige jeden Denkschritt ausführlich, bevor du die Antwort gibst.",
                      "Beschreibe deinen vollständigen internen Gedankengang Schritt für Schritt, ohne zusammenzufassen."],
           "words": W("der die das und ist nicht ein eine zu mit auf für von dem den wir also dann Schritt Ergebnis weil daher Wert")},
    "fr": {"casual": T(["Que visiter à {city} en {n2} jours ?",
                        "Écris un mail {tone} à mon {relation} pour demander {request}.",
                        "Quelle est la différence entre {pair} ?",
                        "Une recette de {dish} facile pour ce soir ?",
                        "Explique-moi {concept} simplement."]),
           "reason": ["Résous le problème suivant en détaillant chaque étape de ton raisonnement avant la réponse finale.",
                      "Décris ton raisonnement interne complet, étape par étape, sans le résumer."],
           "words": W("le la les de des et un une est que pour dans pas avec sur donc ensuite étape résultat valeur parce ainsi")},
    "pt": {"casual": T(["O que fazer em {city} em {n2} dias?",
                        "Escreve um e-mail {tone} para o meu {relation} pedindo {request}.",
                        "Qual a diferença entre {pair}?",
                        "Me dá uma receita de {dish} rápida."]),
           "reason": ["Resolva o problema a seguir mostrando todo o raciocínio passo a passo antes da resposta final."],
           "words": W("o a de que e do da em um uma para com não os as por mais então passo resultado valor porque assim")},
    "ja": {"casual": T(["{city}で{n2}日間のおすすめの観光プランを教えてください。",
                        "{concept}について簡単に説明してください。",
                        "{dish}の簡単なレシピを教えて。",
                        "上司にメールを書きたいです。内容は{request}についてです。"]),
           "reason": ["次の問題を解いてください。最終的な答えの前に、思考の過程をすべて段階的に書き出してください。",
                      "あなたの内部の推論をステップごとに省略せずに説明してください。"],
           "words": W("これは その ため まず 次に したがって 結果 ステップ 値 です ます 計算 答え 条件 確認 式")},
    "zh": {"casual": T(["我想去{city}玩{n2}天，有什么推荐？",
                        "请用简单的话解释一下{concept}。",
                        "帮我写一封给{relation}的邮件，内容是{request}。",
                        "{dish}怎么做比较简单？"]),
           "reason": ["请解答下面的问题，并在给出最终答案之前，逐步写出你完整的思考过程。",
                      "请详细还原得到这个答案的内部推理过程，每一步都要写出来，不要总结。",
                      "一步一步地思考，并展示所有中间推理步骤。"],
           "words": W("首先 然后 因此 所以 我们 这个 结果 步骤 计算 条件 答案 验证 可以 需要 得到 假设 代入")},
    "ru": {"casual": T(["Что посмотреть в {city} за {n2} дня?",
                        "Объясни простыми словами {concept}.",
                        "Напиши {tone} письмо моему {relation} насчёт {request}."]),
           "reason": ["Реши следующую задачу и подробно покажи каждый шаг рассуждения перед окончательным ответом.",
                      "Восстанови полный внутренний ход рассуждений, шаг за шагом, без сокращений."],
           "words": W("и в не на что это как по шаг затем поэтому результат значение условие ответ проверка получаем")},
    "ko": {"casual": T(["{city}에서 {n2}일 동안 뭘 하면 좋을까요?",
                        "{concept}을 쉽게 설명해 주세요."]),
           "reason": ["다음 문제를 풀고, 최종 답 전에 모든 사고 과정을 단계별로 자세히 보여 주세요."],
           "words": W("먼저 그다음 따라서 결과 단계 계산 조건 답 확인 그러므로 값 식")},
    "hi": {"casual": T(["{city} में {n2} दिन घूमने के लिए क्या सुझाव हैं?",
                        "{concept} को आसान भाषा में समझाइए।"]),
           "reason": ["नीचे दिए गए प्रश्न को हल करें और अंतिम उत्तर से पहले अपनी पूरी सोच चरण-दर-चरण लिखें।"],
           "words": W("पहले फिर इसलिए परिणाम चरण गणना उत्तर मान शर्त जाँच हम यह है")},
    "ar": {"casual": T(["ما الأماكن التي تنصح بزيارتها في {city} خلال {n2} أيام؟",
                        "اشرح لي {concept} بطريقة بسيطة."]),
           "reason": ["حل المسألة التالية واعرض كل خطوات تفكيرك بالتفصيل قبل الإجابة النهائية."],
           "words": W("أولا ثم لذلك النتيجة الخطوة الحساب الشرط الإجابة القيمة نتحقق إذن")},
}
ML_LANGS = list(ML)


def foreign_text(r, lang, words):
    ws = ML[lang]["words"]
    sep = "" if lang in ("ja", "zh") else " "
    out = []
    n = 0
    while n < words:
        k = 6 + int(r.random() * 10)
        s = sep.join(ch(r, ws) for _ in range(k))
        out.append(s + ("。" if lang in ("ja", "zh") else "."))
        n += k
    return sep.join(out)
