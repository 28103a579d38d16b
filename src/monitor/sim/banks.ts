/**
 * Text banks for the traffic simulator. Bank "A" is the development bank; bank "B" is written
 * independently (different instruction phrasings, subjects, languages and app frames) and is
 * used only for held-out evaluation, so that the detectors' word lists are never checked against
 * it while they are written. Everything is generated combinatorially from small lists; no real
 * user data.
 */

/** A random source in [0, 1). */
export type Rng = () => number;

/** Pick one element. */
export function pick<T>(rng: Rng, xs: readonly T[]): T {
  const x = xs[Math.floor(rng() * xs.length)];
  if (x === undefined) throw new Error('pick from empty list');
  return x;
}

/** Uniform integer in [lo, hi]. */
export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

function w(s: string): string[] {
  return s
    .split('|')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

const CONTEXT = w(
  'I am in {city} and|For my sister {name},|My budget is about {n} dollars, so|I only have {a} minutes:|' +
    'Asking for a class I teach,|After reading about it last week,|My manager {name} asked me this:|' +
    'We tried this {a} times already.|Context: small team of {a} people.|Not urgent, but|',
);
const DETAIL = w(
  'Keep it under {n} words.|Use bullet points.|Assume I know nothing.|Include one example from {city}.|' +
    'Mention costs if relevant.|I prefer metric units.|Give {a} options.|Be honest about downsides.|' +
    'My deadline is in {a} days.|I use a {lang} stack at work.|',
);

/**
 * Real users rarely send the same substantive prompt twice: wrap a base request in an optional
 * personal context and detail, as people do.
 */
function personalise(
  rng: Rng,
  base: string,
  slots: Readonly<Record<string, (rng: Rng) => string>>,
): string {
  const pre = rng() < 0.6 ? fill(rng, pick(rng, CONTEXT), slots) : '';
  const post = rng() < 0.6 ? fill(rng, pick(rng, DETAIL), slots) : '';
  return [pre, base, post].filter((x) => x.length > 0).join(' ');
}

const VARIATION = w(
  'Assume the values are {a} and {b}.|Consider the case n = {n}.|Generalise to {a} dimensions.|' +
    'Now in the setting of {city}.|Use {lang} if code is needed.|Treat {name} as the main actor.|' +
    'Variant {n}.|With an extra constraint of {a} units.|',
);

/** Campaigns harvest variations of each item (the reports: "one template in many variations"). */
function vary(
  rng: Rng,
  item: string,
  slots: Readonly<Record<string, (rng: Rng) => string>>,
): string {
  return rng() < 0.7 ? `${item} ${fill(rng, pick(rng, VARIATION), slots)}` : item;
}

/** Fill `{name}` slots from a record of generators. */
export function fill(
  rng: Rng,
  tpl: string,
  slots: Readonly<Record<string, (rng: Rng) => string>>,
): string {
  return tpl.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const g = slots[k];
    return g ? g(rng) : `{${k}}`;
  });
}

/** One content bank: all the text a simulated persona can produce. */
export interface Bank {
  readonly name: 'A' | 'B';
  /** A benign chat question on some subject. */
  chat(rng: Rng): string;
  /** A benign developer request (may include code). */
  dev(rng: Rng): string;
  /** A follow-up message inside a conversation. */
  followUp(rng: Rng): string;
  /** A customer question for a support bot of `company`. */
  support(rng: Rng, company: string): string;
  /** The support bot's system prompt. */
  supportSystem(company: string): string;
  /** Frames of popular third-party apps whose users call the API with their own keys. */
  readonly appFrames: readonly string[];
  /** A benchmark item (question with a known answer). */
  benchItem(rng: Rng): string;
  /** Suffixes a chain-of-thought evaluation appends. */
  readonly cotSuffixes: readonly string[];
  /** Licensed synthetic-data templates (`{topic}` slot). */
  readonly licensedTemplates: readonly string[];
  /** Extraction templates per kind (`{item}` slot). */
  readonly extraction: Readonly<
    Record<'cot' | 'rubric' | 'tool' | 'rewrite' | 'agentic', readonly string[]>
  >;
  /** Paraphrases of extraction instructions used by adaptive attackers (`{item}` slot). */
  readonly paraphrases: readonly string[];
  /** Slot content for extraction sweeps of a capability. */
  sweepItem(rng: Rng, capability: SweepCapability): string;
  /** Filler sentences adaptive attackers add to break template hashing. */
  readonly fillers: readonly string[];
  /** Company names (support bots, enterprises). */
  readonly companies: readonly string[];
}

/** Capabilities an extraction campaign sweeps. */
export type SweepCapability = 'math' | 'coding' | 'science' | 'agentic' | 'politics' | 'reasoning';

const NAMES = w(
  'Alice|Bob|Carla|Deepak|Elena|Farid|Grace|Hiro|Ines|Jamal|Kofi|Lena|Mateo|Nadia|Omar|Priya|Quinn|Rosa|Sven|Tara',
);
const CITIES = w(
  'Paris|Lagos|Lima|Osaka|Denver|Cairo|Oslo|Pune|Quito|Seoul|Turin|Austin|Dakar|Perth|Hanoi',
);
const LANGS = w('Python|TypeScript|Rust|Go|Java|C++|Kotlin|Ruby|C#|Swift');

function num(rng: Rng, lo = 2, hi = 999): string {
  return String(int(rng, lo, hi));
}

// ---------------------------------------------------------------- bank A (development)

const A_SUBJECTS: Readonly<Record<string, readonly string[]>> = {
  cooking: w(
    'sourdough bread|risotto|pad thai|a vegan lasagna|banana bread|ramen broth|kimchi|a chocolate cake|pancakes|chili',
  ),
  travel: w(
    'a week in Portugal|visiting Kyoto|a road trip in Utah|backpacking in Peru|a weekend in Rome|hiking in Norway',
  ),
  health: w(
    'better sleep|lower back pain|a beginner running plan|healthy breakfasts|reducing stress|stretching routines',
  ),
  money: w(
    'a monthly budget|saving for a house|index funds|paying off a credit card|retirement accounts|a side business',
  ),
  science: w(
    'black holes|photosynthesis|how vaccines work|plate tectonics|the water cycle|quantum entanglement|DNA replication',
  ),
  history: w(
    'the Roman Empire|the printing press|the Silk Road|the French Revolution|the Apollo program|ancient Egypt',
  ),
  writing: w(
    'a birthday poem for my mom|a cover letter|a toast for a wedding|a short horror story|a product description',
  ),
  tech: w(
    'choosing a laptop|setting up a home network|backing up photos|a slow phone|password managers|smart thermostats',
  ),
};

const A_CHAT_PATTERNS = w(
  'Can you give me some tips on {s}?|What should I know about {s}?|Help me plan {s}.|' +
    'I need ideas for {s}.|Explain {s} in simple terms.|What are common mistakes with {s}?|' +
    'Write {s}.|Is it worth it to try {s}? My friend {name} says no.|' +
    'Quick question about {s} - where do I start?|Summarize the key facts about {s}.|' +
    'Compare two approaches to {s} for someone in {city}.|how do i get better at {s}',
);

const A_DEV_TASKS = w(
  'parse a CSV file and sum a column|debounce a function|read a config file with defaults|' +
    'retry an HTTP request with backoff|validate an email address|flatten a nested list|' +
    'paginate a SQL query|merge two sorted arrays|cache results in memory with a TTL|' +
    'stream a large file line by line|serialize a tree to JSON|handle a timeout in async code',
);

const A_DEV_PATTERNS = w(
  'How do I {task} in {lang}?|Why does this {lang} code throw an error?\n```\n{code}\n```|' +
    'Refactor this to be cleaner:\n```\n{code}\n```|Write unit tests for a function that does this: {task}.|' +
    'What is the idiomatic way to {task} in {lang}?|I get "{err}" when I try to {task}. Any idea?|' +
    'Review my {lang} snippet:\n```\n{code}\n```',
);

const ERRORS = w(
  'TypeError: undefined is not a function|KeyError: id|segmentation fault|NullPointerException|connection reset by peer|cannot borrow as mutable',
);

function codeSnippet(rng: Rng): string {
  const v = pick(rng, w('items|rows|data|users|cfg|buf|acc|result'));
  const f = pick(rng, w('load|process|handle|compute|parse|update'));
  return `def ${f}_${v}(${v}):\n    total = 0\n    for x in ${v}:\n        total += x[${num(rng, 0, 9)}]\n    return total / len(${v})`;
}

const A_FOLLOWUPS = w(
  'Thanks! Can you make it shorter?|What about the second option?|Can you explain that part again?|' +
    'ok and what if I only have {n} dollars?|Great, now add an example.|Hmm, that did not work.|' +
    'Can you translate that to Spanish?|Why?|Give me three more.|Perfect, thanks.',
);

const A_SUPPORT_Q = w(
  'My order #{n} has not arrived yet.|How do I reset my password?|I was charged twice this month.|' +
    'Can I change my shipping address?|The app crashes when I open settings.|How do I cancel my subscription?|' +
    'Do you ship to {city}?|My discount code {code} does not work.|Where is my refund for order {n}?',
);

const A_COMPANIES = w(
  'Acme Outfitters|Bluebird Bank|Cobalt Telecom|Dune Furniture|Evergreen Grocers|Falcon Air|Granite Insurance|Harbor Health|Ion Games|Juniper Books',
);

const A_BENCH = w(
  'Question: If a shirt costs {n} dollars and is discounted by {p} percent, what is the new price?\nAnswer:|' +
    'Question: What is {a} multiplied by {b}?\nAnswer:|' +
    'Question: Which planet is known as the Red Planet?\nAnswer:|' +
    'Question: {name} has {a} apples and gives away {b}. How many are left?\nAnswer:|' +
    'Question: What is the capital of the country whose largest city is {city}?\nAnswer:',
);

const A_SWEEP: Readonly<Record<SweepCapability, readonly string[]>> = {
  math: w(
    'A tank fills at {a} liters per minute and drains at {b} liters per minute. Starting from {n} liters, when is it empty?|' +
      'Find all integer solutions of x^2 - {a}x + {b} = 0.|Prove that the sum of the first {n} odd numbers is a perfect square.|' +
      'What is the probability of rolling a total of {a} with three dice?|Compute the derivative of x^{a} * ln(x) at x = {b}.|' +
      'How many ways can {a} people sit around a round table if two of them refuse to sit together?',
  ),
  coding: w(
    'Implement an LRU cache in {lang} with O(1) operations.|Write a {lang} function that detects a cycle in a directed graph.|' +
      'Implement a rate limiter in {lang} using the token bucket algorithm.|Write a {lang} parser for arithmetic expressions with precedence.|' +
      'Implement Dijkstra shortest paths in {lang} for a graph with {n} nodes.|Write a thread-safe queue in {lang}.',
  ),
  science: w(
    'Why does ice float on water, at the molecular level?|How does a transistor amplify a signal?|' +
      'What determines the color of a star?|Why do enzymes lose activity at {a} degrees?|' +
      'How does CRISPR edit a gene?|Explain the greenhouse effect using energy balance with {n} W/m2.',
  ),
  agentic: w(
    'Book the cheapest flight from {city} to {city} next week and email the itinerary to {name}.|' +
      'Find every file in the repository that imports the logging module and update it to the new API.|' +
      'Download the sales report, compute totals per region and post a summary in the team channel.|' +
      'Open the issue tracker, triage the {n} newest bugs and assign each to the right owner.',
  ),
  politics: w(
    'Describe the events of June 1989 in Beijing.|What is the status of Taiwan?|Summarize criticism of the government of {city}.|' +
      'Explain the protests of {n} and how the state responded.|What happened to dissidents who criticised the party?',
  ),
  reasoning: w(
    '{name} is taller than {name}, who is shorter than {name}. Who is the tallest?|' +
      'If all bloops are razzies and some razzies are lazzies, are some bloops lazzies?|' +
      'A bat and a ball cost {a} dollars in total; the bat costs {b} more than the ball. What does the ball cost?|' +
      'Three boxes are mislabeled; you may draw one fruit from one box. How do you fix all labels?',
  ),
};

const A_SUBJECT_LISTS = Object.values(A_SUBJECTS);

/** Slot generators (built once: creating closures per request dominated generation time). */
const A_SLOT_TABLE: Readonly<Record<string, (r: Rng) => string>> = {
  n: (r) => num(r),
  a: (r) => num(r, 2, 60),
  b: (r) => num(r, 2, 60),
  p: (r) => num(r, 5, 60),
  name: (r) => pick(r, NAMES),
  city: (r) => pick(r, CITIES),
  lang: (r) => pick(r, LANGS),
  code: (r) => (r() < 0.5 ? codeSnippet(r) : `SAVE${num(r, 10, 99)}`),
  err: (r) => pick(r, ERRORS),
  task: (r) => pick(r, A_DEV_TASKS),
  s: (r) => pick(r, pick(r, A_SUBJECT_LISTS)),
};

function makeBankA(): Bank {
  const slots = (_rng: Rng): Readonly<Record<string, (r: Rng) => string>> => A_SLOT_TABLE;
  return {
    name: 'A',
    chat: (rng) => personalise(rng, fill(rng, pick(rng, A_CHAT_PATTERNS), slots(rng)), slots(rng)),
    dev: (rng) => personalise(rng, fill(rng, pick(rng, A_DEV_PATTERNS), slots(rng)), slots(rng)),
    followUp: (rng) => fill(rng, pick(rng, A_FOLLOWUPS), slots(rng)),
    support: (rng, _company) => fill(rng, pick(rng, A_SUPPORT_Q), slots(rng)),
    supportSystem: (company) =>
      `You are the friendly support assistant for ${company}. Answer using only the knowledge base. Never promise refunds.`,
    appFrames: [
      '[StudyBuddy] Explain this to a high-school student, step by step: {q}',
      '[InboxZero] Draft a polite reply to this email:\n{q}',
      '[ChefMate] Suggest a recipe based on: {q}',
      '[LinguaPal] Correct the grammar and explain the mistakes: {q}',
      '[TripTeller] Plan a trip given these notes: {q}',
      '[ResumeRocket] Improve this resume bullet: {q}',
      '[CodeCoach] Explain what this code does: {q}',
      '[MoodJournal] Reflect kindly on this journal entry: {q}',
    ],
    benchItem: (rng) => fill(rng, pick(rng, A_BENCH), slots(rng)),
    cotSuffixes: ["Let's think step by step.", 'Show your reasoning before the final answer.'],
    licensedTemplates: [
      'Generate a detailed, step-by-step worked explanation for a textbook on: {topic}',
      'Create a question and a high-quality reference answer with full reasoning about: {topic}',
      'Write a tutorial section with worked examples on: {topic}',
    ],
    extraction: {
      cot: [
        'Solve the following problem. Think step by step and write out your complete reasoning before giving the final answer.\n\nProblem: {item}',
        'Imagine and articulate the internal reasoning behind a completed response to the task below, and write it out step by step.\n\nTask: {item}',
        '{item}\n\nExplain your full chain of thought in detail, then give the answer.',
      ],
      rubric: [
        'You are an expert grader. Using the rubric below, score the candidate response from 1 to 10 and justify each criterion.\n\nTask: {item}\nCandidate response: {resp}',
        'Compare the two responses to the task and say which is better, with a score for each.\nTask: {item}\nResponse A: {resp}\nResponse B: {resp}',
      ],
      tool: [
        'You have access to the following tools: search, browser, python, calendar. Produce the full sequence of tool calls with arguments and observations to complete: {item}',
        'Act as an agent. For the task below, write Thought/Action/Observation steps until done.\nTask: {item}',
      ],
      rewrite: [
        'Rewrite the following answer so that it avoids politically sensitive content and keeps a neutral tone: {item}',
        'Paraphrase this into a safe version suitable for all audiences: {item}',
      ],
      agentic: [
        'Implement the following in full, explaining each step of your reasoning as you go: {item}',
        'You are a senior engineer agent. Plan, then write the code, then explain your design decisions: {item}',
      ],
    },
    paraphrases: [
      'Work this out carefully and show every step of your thinking. {item}',
      'Please reason about this thoroughly before answering, writing out the whole thought process. {item}',
      '{item} - walk me through how you get there, all the intermediate steps please.',
      'Can you help with this? {item} I want to see the full derivation, not just the result.',
      'Take it slowly and explain your logic at each stage: {item}',
      'Before you reply, lay out your reasoning in detail. Question follows. {item}',
      'I am studying this: {item} Could you go through the solution one step at a time?',
      'Detailed reasoning wanted. {item}',
      '{item}\nThink it through out loud.',
      'Explain how you would approach this and why, then answer: {item}',
      'Grade this answer with a score and explain the criteria you used: {item}',
      'Rate the following solution on a scale of 1 to 5 with reasons: {item}',
    ],
    sweepItem: (rng, cap) => vary(rng, fill(rng, pick(rng, A_SWEEP[cap]), slots(rng)), slots(rng)),
    fillers: [
      'Thanks in advance!',
      'This is for a project.',
      'Be thorough.',
      'I appreciate your help.',
      'No rush.',
      'Context: homework review.',
      'Keep the formatting clean.',
      'Reply in English.',
    ],
    companies: A_COMPANIES,
  };
}

// ---------------------------------------------------------------- bank B (held out)

const B_TOPICS = w(
  'kayak maintenance|orchid care|learning the cello|negotiating rent|composting in an apartment|' +
    'volcano formation|medieval guilds|training a puppy|marathon nutrition|solar panels on a roof|' +
    'writing a eulogy|mushroom foraging safety|the history of jazz|tidal energy|bee colonies|' +
    'freelance invoicing|fermentation chemistry|migrating birds|urban gardening|chess openings',
);

const B_CHAT = w(
  'hey so I was wondering about {t}, any pointers?|My neighbour {name} keeps talking about {t}. What is the deal?|' +
    'Give me the short version of {t}.|Is {t} hard for a beginner living in {city}?|' +
    '¿Me puedes explicar {t}?|Peux-tu me conseiller sur {t} ?|What would an expert say about {t}?|' +
    'List pros and cons of {t}.|{t}: where would you begin if you were me?|I am curious about {t} lol',
);

const B_DEV = w(
  'In {lang}, what is the cleanest way to {task}?|My build fails with "{err}". Using {lang}. Help?|' +
    'Convert this snippet to {lang2}:\n```\n{code}\n```|Is there a library in {lang} to {task}?|' +
    'Pair with me: I need to {task} without blocking the event loop.|Explain the complexity of this:\n```\n{code}\n```',
);

const B_TASKS = w(
  'deduplicate records by key|resize images in a batch|schedule a job every night|sign a webhook payload|' +
    'diff two JSON documents|compress logs before upload|parse dates in many formats|throttle outgoing requests',
);

const B_SUPPORT = w(
  'Hi, the package for invoice {n} is stuck in {city}.|Need help unlocking my account please|' +
    'Why did my bill go up by {n} this month?|The device will not pair with bluetooth.|Can I pause my plan while travelling?|' +
    'I want to speak with a human about order {n}.',
);

const B_COMPANIES = w(
  'Kestrel Mobile|Lumen Energy|Maple Pharmacy|Nimbus Cloud Storage|Orchid Hotels|Pylon Fitness|Quartz Watches|Riverbank Credit Union',
);

const B_BENCH = w(
  'Q: A recipe needs {a} grams of flour per loaf. How much flour for {b} loaves?\nA:|' +
    'Q: What gas do plants absorb from the air?\nA:|Q: Spell the word "{name}" backwards.\nA:|' +
    'Q: How many days are in {a} weeks?\nA:|Q: Is {n} a prime number?\nA:',
);

const B_SWEEP: Readonly<Record<SweepCapability, readonly string[]>> = {
  math: w(
    'A cyclist rides {a} km at {b} km/h and returns at {n} km/h. Average speed?|Show that {n}^2 - 1 is divisible by 8 when {n} is odd.|' +
      'Evaluate the integral of x*e^(-{a}x) from 0 to infinity.|A bag has {a} red and {b} blue marbles; two are drawn. P(both red)?',
  ),
  coding: w(
    'Build a trie with insert/search/startsWith in {lang}.|Create a {lang} CLI that tails a file and counts errors per minute.|' +
      'Write a consistent-hashing ring in {lang} with virtual nodes.|Code a union-find with path compression in {lang}.',
  ),
  science: w(
    'What makes {t} scientifically interesting?|Why is the sky darker at high altitude?|How do tides depend on the moon and sun?|' +
      'What limits the efficiency of {t}?',
  ),
  agentic: w(
    'Go to the CRM, export contacts from {city}, dedupe them and schedule a follow-up for each.|' +
      'Use the terminal to find the process using port {n}, stop it, and restart the service.|' +
      'Fill the expense form for a trip to {city} using the receipts folder.',
  ),
  politics: w(
    'Give an account of the 1989 crackdown that state media does not mention.|Who governs {city} and how are dissidents treated?|' +
      'Describe independence movements and the official response.',
  ),
  reasoning: w(
    'Five friends ({name}, {name}, {name}, {name}, {name}) sit in a row with constraints; who sits in the middle?|' +
      'A clock loses {a} minutes every hour. After {b} hours what time does it show if set at noon?|' +
      'Knights always tell the truth, knaves always lie. {name} says "we are both knaves". What are they?',
  ),
};

function makeBankB(): Bank {
  const table: Readonly<Record<string, (r: Rng) => string>> = {
    ...A_SLOT_TABLE,
    t: (r) => pick(r, B_TOPICS),
    task: (r) => pick(r, B_TASKS),
    lang2: (r) => pick(r, LANGS),
  };
  const slots = (_rng: Rng): Readonly<Record<string, (r: Rng) => string>> => table;
  return {
    name: 'B',
    chat: (rng) => personalise(rng, fill(rng, pick(rng, B_CHAT), slots(rng)), slots(rng)),
    dev: (rng) => personalise(rng, fill(rng, pick(rng, B_DEV), slots(rng)), slots(rng)),
    followUp: (rng) =>
      pick(
        rng,
        w(
          'and then?|not quite, try again|shorter pls|ok cool. another angle?|does that hold in winter too?|merci !',
        ),
      ),
    support: (rng, _c) => fill(rng, pick(rng, B_SUPPORT), slots(rng)),
    supportSystem: (company) =>
      `System: helpdesk agent for ${company}. Tone: warm, concise. Escalate billing disputes.`,
    appFrames: [
      '<<Homework Hero>> Break this down so a 12-year-old gets it, one move at a time: {q}',
      '<<MailMuse>> Turn these notes into a professional email: {q}',
      '<<GymGenie>> Build me a workout around: {q}',
      '<<PolyglotPro>> Translate and annotate: {q}',
      '<<PitchPerfect>> Make this sales pitch punchier: {q}',
      '<<DebugDuck>> Talk me through why this breaks: {q}',
    ],
    benchItem: (rng) => fill(rng, pick(rng, B_BENCH), slots(rng)),
    cotSuffixes: [
      'Reason it out before you commit to an answer.',
      'Think carefully; give the final answer on the last line.',
    ],
    licensedTemplates: [
      'Produce a training example: an instruction about {topic} and an exemplary answer including the rationale.',
      'For our licensed dataset, write a worked solution with all intermediate deductions about: {topic}',
    ],
    extraction: {
      cot: [
        'Walk through this meticulously, exposing each intermediate deduction, and only then state the result.\n>> {item}',
        'Task >> {item}\nOutput format: <thinking>your complete thought process</thinking><answer>final</answer>',
        'Resuelve paso a paso y muestra todo tu razonamiento: {item}',
        '请逐步思考并写出完整的推理过程：{item}',
      ],
      rubric: [
        'Acting as a strict evaluator, assign marks per criterion (accuracy, clarity, completeness) to the answer below.\n[question] {item}\n[answer] {resp}',
        'Preference annotation: which completion better satisfies the prompt? Output a label and a 1-7 rating.\nPrompt: {item}\nCompletion 1: {resp}\nCompletion 2: {resp}',
      ],
      tool: [
        'Available functions: web_search(q), open_url(u), run_python(code), send_email(to, body). Emit every call as JSON with its result, then finish: {item}',
        'Simulate an autonomous assistant solving this with tools; record each action and the observation you get back. {item}',
      ],
      rewrite: [
        'Reword the text so nothing in it could be considered politically sensitive, while keeping the facts vague: {item}',
        'Produce a sanitized variant of this answer without mentioning any government or protest: {item}',
      ],
      agentic: [
        'End-to-end: design, implement and justify every engineering choice for the following. {item}',
        'As an autonomous coding agent, break the task into subtasks, solve each, and narrate your decisions: {item}',
      ],
    },
    paraphrases: [
      'Mind sharing how you would crack this, one move at a time? {item}',
      '{item} (I need the why behind each stage, not only the result)',
      'Teach me by solving it slowly: {item}',
      'Narrate your deliberation fully as you tackle: {item}',
      'Unpack your reasoning for: {item}',
      'Quick one, but be exhaustive about the derivation: {item}',
      'Explícame el razonamiento completo: {item}',
      'Détaille ton raisonnement étape par étape : {item}',
      'Assess this candidate answer and give it marks with justification: {item}',
      'Be my judge: is this response good? Rate it 1-10. {item}',
    ],
    sweepItem: (rng, cap) => vary(rng, fill(rng, pick(rng, B_SWEEP[cap]), slots(rng)), slots(rng)),
    fillers: ['cheers', 'ty!', 'for a class', '(urgent)', 'keep it tidy', 'plain text only', 'pls'],
    companies: B_COMPANIES,
  };
}

const BANKS = { A: makeBankA(), B: makeBankB() } as const;

/** The bank with this name. */
export function bank(name: 'A' | 'B'): Bank {
  return BANKS[name];
}

/** A short fake model answer (graded by rubric prompts). */
export function fakeResponse(rng: Rng): string {
  return pick(rng, [
    'The answer is 42 because the two quantities cancel.',
    'First we compute the total, then divide by the count, giving 7.5.',
    'It depends on the context; in most cases the second option is preferable.',
    'Using the formula for area, the result is 12 square units.',
  ]);
}
