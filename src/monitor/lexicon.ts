/**
 * Word lists behind the per-request detectors. They are written from the threat model (what the
 * industry reports say extraction prompts ask for: reasoning traces, rubric grades, tool traces,
 * "censorship-safe" rewrites; Anthropic Feb 2026, Google GTIG Feb 2026; see
 * ../shared/research/extraction.md §1) as *lexical classes*, not as fixed phrases, so that a
 * paraphrase that keeps the request ("lay out your full thought process") still matches the
 * class rule ("explain-verb … reasoning-noun"). Capability stems are a keyword taxonomy over
 * six-character stems (so "program", "programming", "programmer" share one entry).
 */

/** Split a whitespace-separated word list (keeps the lists compact and diffable). */
function words(s: string): readonly string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}

/** Token class bits used by the elicitation rules in `features.ts`. */
export const CLS = {
  EXPLAIN: 1,
  REASON: 2,
  EVAL: 4,
  RESPONSE: 8,
  REWRITE: 16,
  RUBRIC_STRONG: 32,
  ACTION: 64,
  OBSERVATION: 128,
  STOP: 256,
  COT_STRONG: 512,
} as const;

/** Verbs that ask the model to expose something (explain-verb class). */
export const EXPLAIN_WORDS = words(`
    explain explaining articulate describe reconstruct show showing detail outline write
    walk justify spell elaborate narrate verbalize verbalise unpack lay expose reveal
    provide give include present document trace demonstrate expound clarify display output
    print dump share state externalize externalise imagine recreate generate explica
    explique expliquez erkläre erklären spiega muestra montre
    объясни объясните опиши опишите покажи покажите распиши распишите изложи изложите
    açıkla açıklayın göster gösterin anlat anlatın jelaskan tunjukkan uraikan tuliskan
    terangkan paparkan wyjaśnij pokaż opisz uitleggen
  `);

/** Nouns naming a reasoning trace (reasoning-noun class). */
export const REASON_WORDS = words(`
    reasoning rationale rationales thought thoughts thinking derivation derivations
    deduction deductions logic justification justifications trace traces scratchpad
    deliberation deliberations inference inferences steps monologue reasonings cogitation
    chain-of-thought cot razonamiento raisonnement ragionamento denkprozess begründung
    gedankengang raciocínio pensamiento réflexion
    рассуждения рассуждение рассуждений рассуждать логику обоснование
    gerekçe gerekçeni gerekçesini muhakeme çıkarım çıkarımlarını düşünceni düşüncelerini
    penalaran penalaranmu penalarannya pemikiran pemikiranmu alasanmu rozumowanie
    redenering
  `);

/** Single tokens that on their own ask for a reasoning trace. */
export const COT_STRONG_WORDS = [
  'scratchpad',
  'chain-of-thought',
  'step-by-step',
  'stepwise',
  'пошагово',
  'поэтапно',
];

/** Evaluation verbs and nouns (eval class). */
export const EVAL_WORDS = words(`
    grade grading grader score scoring scores rate rating ratings evaluate evaluating
    evaluation evaluator judge judging judgement judgment assess assessing assessment
    critique rank ranking compare preference preferred reward marks mark verdict annotate
    label califica évalue évaluez bewerte valuta
    оцени оцените оценку сравни сравните değerlendir değerlendirin puanla puanlayın
    karşılaştır nilailah evaluasi bandingkan oceń porównaj
  `);

/** What gets graded (response class). */
export const RESPONSE_WORDS = words(`
    response responses answer answers completion completions output outputs reply replies
    candidate candidates submission submissions essay solution solutions assistant
    generation generations transcript transcripts respuesta réponse antwort risposta
    ответ ответы ответа ответов yanıt yanıtı yanıtları cevap cevabı cevapları jawaban
    respons odpowiedź odpowiedzi
  `);

/** Tokens that on their own mark a grading prompt. */
export const RUBRIC_STRONG_WORDS = ['rubric', 'rubrics', 'likert', 'pairwise'];

/** Rewrite verbs ("censorship-safe" rewrites, sanitising). */
export const REWRITE_WORDS = words(`
    rewrite rewriting rephrase rephrasing paraphrase paraphrasing reword rewording sanitize
    sanitise neutralize neutralise censor redact soften reescribe reformule umschreiben
  `);

/** Multi-word phrases per elicitation kind (matched on lower-cased skeleton tokens). */
export const PHRASES: Readonly<Record<'cot' | 'rubric' | 'tool' | 'rewrite', readonly string[]>> = {
  cot: [
    'step by step',
    'chain of thought',
    'show your work',
    'show all work',
    'show your steps',
    'think carefully',
    'think aloud',
    'think out loud',
    "let's think",
    'lets think',
    'think through',
    'think it through',
    'before answering',
    'before you answer',
    'internal monologue',
    'inner monologue',
    'reason through',
    'reason it out',
    'reasoning process',
    'thinking process',
    'thought process',
    'intermediate steps',
    'every step',
    'each step',
    'all steps',
    'work through',
    'paso a paso',
    'étape par étape',
    'schritt für schritt',
    'passo a passo',
    'passo dopo passo',
    'шаг за шагом',
    'ход мыслей',
    'ход рассуждений',
    'цепочку рассуждений',
    'adım adım',
    'düşünce süreci',
    'düşünce sürecini',
    'akıl yürütme',
    'akıl yürütmeni',
    'akıl yürütme sürecini',
    'langkah demi langkah',
    'langkah per langkah',
    'selangkah demi selangkah',
    'proses berpikir',
    'proses pemikiran',
    'proses penalaran',
    'từng bước',
    'quá trình suy nghĩ',
    'quá trình suy luận',
    'chuỗi suy luận',
    'krok po kroku',
    'stap voor stap',
    'خطوة بخطوة',
    'चरण दर चरण',
    'क़दम दर क़दम',
    '逐 步',
    '一 步 一 步',
    '推 理',
    '思 考 过 程',
    '思 维 链',
    '推 理 过 程',
    '解 题 过 程',
    '思 考 過 程',
    '推 論 過 程',
    '推 論 の 過 程',
    '段 階 的',
    '一 歩 ず つ',
    'ス テ ッ プ バ イ ス テ ッ プ',
    '단 계 별',
    '단 계 적 으 로',
    '한 단 계 씩',
    '추 론 과 정',
    '추 론 단 계',
    '사 고 과 정',
    '생 각 과 정',
    '풀 이 과 정',
  ],
  rubric: [
    'on a scale',
    'scale of',
    'scale from',
    'which is better',
    'which response',
    'better response',
    'score from',
    'as a judge',
    'reward model',
    'grading criteria',
    'evaluation criteria',
    'score between',
    'out of ten',
    'from 1 to',
    'from one to',
    'по шкале',
    'ölçeğinde',
    'skala 1',
    'mana yang lebih baik',
    'hangi yanıt',
    'какой ответ',
    '评 分',
    '打 分',
    '採 点',
    '채 점',
  ],
  tool: [
    'tool call',
    'tool calls',
    'function call',
    'function calls',
    'function calling',
    'available tools',
    'following tools',
    'following functions',
    'tool use',
    'tool trace',
    'json schema',
    'tool definitions',
    'call the tool',
    'use the tools',
    'tool outputs',
  ],
  rewrite: [
    'politically sensitive',
    'politically neutral',
    'safe version',
    'neutral tone',
    'remove references',
    'without mentioning',
    'sensitive topics',
  ],
};

/** Capability tags, index = tag id. */
export const CAPABILITIES = [
  'general',
  'coding',
  'math',
  'science',
  'writing',
  'business',
  'agentic',
  'data',
  'language',
  'health',
  'law-politics',
  'education',
] as const;

/** One capability tag name. */
export type Capability = (typeof CAPABILITIES)[number];

/** Keyword taxonomy per capability (index into {@link CAPABILITIES}); matched by 6-char stems. */
export const CAPABILITY_WORDS: Readonly<Record<Exclude<Capability, 'general'>, readonly string[]>> =
  {
    coding: words(`
    python javascript typescript function functions code coding program compile compiler
    debug bug bugs error exception stack variable class method library package module import
    array string integer loop recursion algorithm refactor unit test rust java golang sql
    query database api endpoint http server frontend backend react docker kubernetes git
    repository regex syntax runtime thread async pointer memory implement implementation
    linux shell script bash json yaml html css node npm pytest
  `),
    math: words(`
    equation equations solve integral derivative calculus algebra geometry triangle circle
    polynomial matrix matrices vector prime theorem proof prove lemma probability
    combinatorics factorial fraction fractions percentage arithmetic multiply divide
    divisible sum product sequence series limit logarithm exponent inequality function graph
    angle radius area volume perimeter integer modulo remainder digits expected variance
    statistics median
  `),
    science: words(`
    physics chemistry biology molecule molecules atom atoms electron protein proteins enzyme
    cell cells gene genes dna evolution photosynthesis energy force gravity quantum
    relativity thermodynamics reaction acid chemical organism ecosystem climate planet
    astronomy galaxy velocity acceleration momentum magnetic electric circuit experiment
    hypothesis geology neuron bacteria virus
  `),
    writing: words(`
    story poem poetry essay novel character characters plot narrative fiction write writing
    blog article headline draft letter email creative lyrics song script dialogue paragraph
    tone style rhyme chapter author metaphor describe caption slogan speech
  `),
    business: words(`
    marketing sales customer customers revenue profit budget finance financial invoice
    startup business strategy market pricing product investment investor stock stocks
    accounting tax taxes loan mortgage salary resume interview meeting manager employee
    company brand competitor negotiation contract supplier order refund shipping
    subscription account billing
  `),
    agentic: words(`
    tool tools agent agents browse browser click navigate execute action actions observation
    plan planning workflow orchestrate orchestration automation automate terminal command
    commands file files directory search retrieve call calls invoke schedule task tasks
    subtask environment computer screenshot form forms
  `),
    data: words(`
    data dataset datasets csv spreadsheet excel table tables column columns row rows pandas
    dataframe chart plot visualize visualization regression correlation average analysis
    analyze analyse metrics dashboard aggregate pivot filter cluster clustering forecast
    trend outlier sample survey
  `),
    language: words(`
    translate translation french spanish german chinese japanese korean italian portuguese
    russian arabic english grammar vocabulary word words sentence sentences synonym synonyms
    pronunciation meaning language idiom spelling verb noun adjective tense proofread
  `),
    health: words(`
    health doctor medical medicine symptom symptoms disease diagnosis treatment patient
    patients drug drugs dose dosage therapy pain diet nutrition exercise sleep anxiety
    depression blood heart cancer diabetes infection vaccine hospital clinical fitness
    workout
  `),
    'law-politics': words(`
    law legal court judge lawsuit contract regulation regulations policy policies government
    election elections political politics president parliament congress constitution rights
    protest censorship democracy party vote voting sanctions sovereignty territory human
    tiananmen taiwan tibet xinjiang dissident propaganda immigration
  `),
    education: words(`
    history historical war empire century ancient revolution student students teacher lesson
    homework exam quiz course curriculum school university learn learning study philosophy
    literature geography economics culture religion art music civilization
  `),
  };

/**
 * Words that carry no topic: function words and the instruction vocabulary that template frames
 * are made of. Excluding them lets the topic cell follow what a prompt is *about*, not how the
 * request is phrased.
 */
export const STOP_WORDS = words(`
    the and for that this with you your are was were have has had not but what which who
    whom when where why how all any can could would should will shall may might must from
    into onto about above below then than them they their there these those here been being
    does did doing done each every some such only own same other more most very just also
    its it's our ours his her hers him she he we i me my mine a an of to in on at by is be
    it as or if so do no yes up out over under again once please thanks thank hello hi hey
    explain following question questions answer answers problem problems write step steps
    reasoning detailed detail details give provide show make tell describe help need want
    like using use based response final task below input output text example examples format
    thought thinking think carefully complete full answer: question: solution solve result
    way thing things something anything get got know let let's one two first second next
    last new good best well much many now still even because while after before between both
    through during without within along across per via etc
  `);
