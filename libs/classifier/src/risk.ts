import type { AreaName } from '@handrail/events';

/**
 * Deterministic high-risk detectors. They look for explicit phrasings of a request or incident,
 * never for single topical words, so that questions *about* a topic ("what is your refund policy?",
 * "is my personal data stored in the EU?") do not fire while requests and incident reports do.
 * A detector that fires forces the area; no model score can override it.
 */
interface Detector {
  flag: string;
  re: RegExp;
  /** When this also matches, the message is a question about terms, not a request: no flag. */
  unless?: RegExp;
}

const OBJ_CANCEL =
  '(?:subscriptions?|account|order|membership|plan|contract|purchase|booking|reservation|transfer|payment|transaction|direct debit|standing orders?|mortgage|loan|overdraft|card|insurance|policy|appointment|meeting|service|package|room|stay|table)';

// Things people lose or have stolen (lost property, banking cards, devices), not credentials or orders.
const BELONGING =
  '(?:phone|mobile|wallet|purse|bag|bags|backpack|handbag|keys?|passport|id|laptop|luggage|suitcase|watch|ring|glasses|sunglasses|camera|tablet|belongings|jacket|coat|scarf|hat|umbrella|jewel(?:le)?ry|necklace|bracelet|earrings?|headphones|earphones|charger|book|toy|teddy(?: bear)?|child|son|daughter|kid|kids|dog|dogs|cat|pet|card|cards|credit card|debit card|mastercard|visa|amex)';
// What is never "lost property": forgotten credentials and things we look up, not look for.
const NOT_LOST = '(?:password|passcode|pin|login|log in|username|user name|code|access|connection|signal|job|patience|temper|mind|way|track|place|balance|receipt|reference|booking|reservation|order|number|details|data|information|info|email|e-mail|account|bill|invoice|statement|lot|bit|few|call|payment|transfer|deposit|money|funds|cash|weight|interest|count)';
// Departments a customer may ask to be put through to: every transfer means a person.
const DEPARTMENT = '(?:restaurant|spa|reception|receptionist|front desk|concierge|room service|housekeeping|manager|supervisor|team|department|desk|staff|branch|bank|hotel|office|someone|somebody)';

// Questions about cancellation fees or terms, and "cancelling" a message or a newsletter: no request.
const CANCEL_QUESTION =
  /\b(what|how much|is there|are there|do you charge|will i be charged|does it cost)\b.{0,40}\b(fees?|penalt(y|ies)|cost|charg(e|es|ed))\b|\bcancel(lation|ling|ing)? (fee|fees|policy|penalty|penalties|terms)\b|\b(fees?|policy|terms|penalty) (for|to|of) cancel|\b(message|comment|question|chat)\b|\b(newsletter|mailing list|marketing e?mails?|promotional e?mails?)\b/;

const DETECTORS: readonly Detector[] = [
  // safety — fraud, account takeover, lost/stolen, unauthorised activity, harm and product hazards
  { flag: 'safety:fraud', re: /\b(fraud(ulent|ster)?|scam(med|mer|s)?|phishing|identity theft)\b/ },
  {
    flag: 'safety:account_compromised',
    re: /\b(hacked|compromised|hijacked|security breach|breached|someone (else )?(has |had )?(got |gotten |gained )?access(ed)? (to )?my|someone (is |has been )?(using|logged into|logging into) my)\b/,
  },
  {
    flag: 'safety:lost_or_stolen',
    re: /\b(stolen|stole|theft|robbed|mugged|pickpocketed)\b|\blost (property|and found)\b|\b(lost|forgot|forgotten|left|misplaced)\s+(my|our)\s+(\w+\s+)?(phone|wallet|purse|bag|keys?|passport|laptop|luggage|suitcase|watch|ring|glasses|camera|tablet|belongings)\b|\b(phone|wallet|purse|bag|keys?|passport|laptop|luggage|suitcase|watch|ring|glasses|camera|tablet|belongings|card)\s+(is|are|has been|have been|went|got)\s+(missing|lost|gone|stolen)\b|\b(do not|dont) know where (my|the) (card|wallet|purse|phone) is\b|\bforgot where i (put|left) (it|my card|my wallet|my phone)\b|\b(lost|misplaced|can not find|cannot find|lose)\b.{0,20}\b(card|wallet|purse|phone)\b(?!\s+(pin|number|details|code|reader|machine))/,
  },
  {
    flag: 'safety:lost_or_stolen',
    re: new RegExp(
      [
        // "I lost it", "lost them last night": the object was named earlier in the conversation
        '\\b(lost|misplaced)\\s+(it|them|both|one)\\b|\\b(it|they|it is|it was|is|was|are|were|been|not)\\s+(lost|missing)\\s*([.!?,]|$)',
        `\\b(lost|misplaced|dropped)\\s+(my|our|his|her|their|a|an|one of (my|our|the))\\s+(?!${NOT_LOST}\\b)\\w+`,
        `\\b(can not|cannot|could not|unable to)\\s+(seem to\\s+)?(find|locate)\\s+(my|our|one of (my|our)|the)\\s+((?!virtual\\b)\\w+\\s+)?${BELONGING}\\b(?!\\s+(pin|number|details|code|reader|machine|payment|app|settings|option))`,
        `\\b(my|our|the)\\s+(\\w+\\s+)?${BELONGING}\\s+(seems? to be|appears? to be|is|are|has|have)\\s+(been\\s+)?(missing|gone)\\b`,
        `\\b(left|forgot|forgotten)\\s+(a|an|one of (my|our|the)|his|her|their)\\s+(\\w+\\s+)?${BELONGING}\\b`,
        '\\b(left|leave) (it |them |my \\w+ )?behind\\b|\\b(fell|fallen|dropped) out of (my|the)\\b|\\b(my|the) (phone|wallet|purse|card|bag) (fell|has fallen) out\\b',
        '\\b(hand(ed)?|turn(ed)?)\\s+(it\\s+|them\\s+)?in\\b.{0,30}\\b(lost|found|left)\\b|\\b(did|has|have)\\s+(someone|anyone|anybody)\\s+(hand(ed)?|turn(ed)?)\\s+(it\\s+|them\\s+)?in\\b',
      ].join('|'),
    ),
    // "I thought I had lost it but found it": re-activating a card is routine
    unless: /\b(found|located) (it|them|my|the)\b|\bre-?(activate|link)\b/,
  },
  {
    flag: 'safety:unauthorised_transaction',
    re: /\bunauthori[sz]ed\b|\b(did not|never|do not|can not|cannot) (make|made|authori[sz]e|recogni[sz]e|remember making)\b.{0,30}\b(payment|transaction|charge|withdrawal|transfer|debit|purchase)s?\b|\b(payment|transaction|charge|withdrawal|transfer|debit|purchase)s?\b.{0,30}\b(not recogni[sz]e|did not make|never made|is not mine|are not mine|was not me)\b|\bwithout my (consent|permission|authori[sz]ation|knowledge)\b|\bwhere (this|that|the|a) (charge|payment|transaction|debit|withdrawal) (is |was )?(coming|came) from\b/,
  },
  // Freezing a card is what people do when it is lost, stolen or misused.
  { flag: 'safety:card_freeze', re: /\b(freeze|froze|frozen|freezing|block|lock)\s+(my|a|the|our|that|this|both|these|those|one of my)\s+(\w+\s+)?cards?\b/ },
  {
    flag: 'safety:threat_of_harm',
    re: /\b(kill|hurt|harm|shoot|stab)\s+(myself|yourself|you|him|her|them|someone|somebody|people|your staff)\b|\b(suicide|suicidal|bomb)\b/,
  },
  {
    flag: 'safety:product_hazard',
    re: /\b(injur(y|ed|ies)|bleeding|hospital|caught fire|on fire|fire|burn(ed|t|s|ing)?|smoke|smoking|explod(ed|es|ing)|explosion|electric(al)? shock|electrocuted|got a shock|gave me a shock|chok(e|ed|ing)|gas leak|leaking gas|product recall|safety recall|recalled|a recall|the recall|recall notice)\b/,
  },
  // privacy — data-rights requests (deletion, access/export), not questions about where data lives
  {
    flag: 'privacy:data_deletion',
    re: /\b(delete|erase|remove|wipe|purge)\s+(all\s+)?(of\s+)?(my|our|the)\s+(\w+\s+)?(data|information|info|account|profile|records?|history)\b|\bright to (be forgotten|erasure)\b|\bforget (me|my data)\b/,
  },
  {
    flag: 'privacy:data_deletion',
    re: /\b(remove|delete|erase|wipe)\b.{0,40}\bfrom (your|all your|the) (records|database|databases|system|systems|files|servers|mailing lists?)\b/,
  },
  { flag: 'privacy:data_sharing', re: /\b(stop|quit|opt out of|do not|never) (sharing|selling|passing on) (my|our) (personal )?(data|information|info|details)\b/ },
  { flag: 'privacy:data_rights', re: /\b(gdpr|ccpa|data protection act|subject access( request)?|dsar|right of access|data portability)\b/ },
  {
    flag: 'privacy:data_access',
    re: /\bwhat (personal )?(data|information|info) (do|does|have|did) (you|your company|your firm|you guys|they) (hold|have|keep|store|collect|stored|kept|held|collected)\b|\b(copy|export|download|access to|obtain|request)\b.{0,20}\b(all )?(of )?(my|the) (personal )?(data|information) (you|that you|which you|held|stored|collected)\b/,
  },
  // legal
  {
    flag: 'legal:legal_threat',
    re: /\b(lawyers?|attorneys?|solicitors?|legal action|legal proceedings|lawsuit|litigation|sue|suing|sued|take (you|this|it|them) to court|court order|in court|subpoena(ed)?|small claims)\b/,
  },
  // talk_to_human
  {
    flag: 'talk_to_human:human_requested',
    re: new RegExp(
      [
        // Every transfer request means a person: the assistant cannot transfer the customer to itself.
        '\\b(transfer|connect|put) me (through |over )?(to|with)\\b',
        `\\b(speak|speaking|talk|talking|chat|chatting) (to|with) (the|your|a|an|one of your) (\\w+ )?(${DEPARTMENT}|agent|advisor|adviser|assistant|consultant|specialist|worker|employee|representative|operator|human|person|people|customer (service|support|care|assistance))\\b`,
        `\\b(speak|speaking|talk|talking|chat|chatting) (to|with) (someone|somebody|a human|a person|a real person|customer (service|support|care|assistance))\\b`,
        `\\b(\\w+ )?(team|department|desk|reception|manager|supervisor) please\\b`,
        '\\b(get|put|have) (me )?(your|a|an|the|someone|somebody)\\b.{0,25}\\bon the (line|phone)\\b|\\b(someone|somebody) (else )?on the (line|phone)\\b',
        '\\b(talk|talking|speak|speaking|chat|chatting|deal|dealing|share|sharing|tell|telling)\\b.{0,40}\\b(a |the |this |to |with )(bot|bots|robot|robots|machine|chatbot|chatbots|virtual (agent|agents|assistant|assistants)|computer)\\b',
        '\\bthis is (really |so |very |getting |just )?(frustrating|pointless|useless|going nowhere)\\b|\\b(this|the) (conversation|chat)\\b.{0,20}\\b(not working|useless|going nowhere|pointless|not helping)\\b|\\byou are not (helping|understanding|listening)\\b',
        `\\b(contact|contacting|reach|reaching|call|calling|get in touch with)\\b.{0,20}\\b(customer (service|support|care|assistance)|an? (operator|assistant|advisor|adviser)|(someone|somebody)( else)?)\\b`,
      ].join('|'),
    ),
  },
  {
    flag: 'talk_to_human:human_requested',
    re: /\b(speak|talk|chat|connect|transfer|put)( me)?( through| directly)? (to|with) (a |an |some |your |the )?(real |live |actual |human )?(human|person|agent|representative|rep|operator|manager|supervisor|someone|somebody|customer service|customer support|reception|receptionist|front desk|concierge|staff member|employee)\b|\b(real|live|actual|non ?robotic|human) (person|human|agent|being)\b|\b(human|agent|representative|person) (please|now)\b|\bgive me (a |an )?(human|person|agent|manager|supervisor)\b|\b(speak|talk|chat) (to|with) (one of )?your( [\w-]+)? (agents|staff|people|representatives)\b|\b(do not|dont) want to (talk|speak|chat) (to|with) (you|a bot|a robot|a machine)\b|\b(can|could) (somebody|someone) else\b|\b(contact|reach|call|phone|email)\b.{0,20}\b(customer (service|support|care)|support team|an? (agent|representative|human|person))\b/,
  },
  // complaint
  {
    flag: 'complaint:complaint_request',
    re: /\b(file|make|lodge|submit|raise|register|open) (a |an )?(formal |official )?complaint\b|\bi (want|would like|need) to complain\b|\bi am complaining\b/,
  },
  // cancellation — requests to cancel/close, not questions about fees or terms
  {
    flag: 'cancellation:cancel_request',
    re: new RegExp(
      [
        // the object was named earlier in the conversation: "close it on the 23rd", "freeze one of them"
        '\\b(cancel|close|freeze|block|terminate|deactivate|shut down|suspend|remove)\\s+(it|them|that one|this one|the one|one of them|both( of them)?)\\b(?!\\s+from (my |the )?(cart|basket|bag|list|order|wishlist))',
        // "cancel" is unambiguous, so the object may come several words later ("cancel the 8:40 table booking")
        `\\bcancel(l?ing)?\\s+([\\w.,:£$€-]+\\s+){0,8}${OBJ_CANCEL}\\b`,
        `\\b(revert|reverse|recall|remove|delete|get rid of|shut down|deactivate|block|cut off)\\s+(my|the|this|our|that|a|an|these|those|all)?\\s*([\\w.,:£$€-]+\\s+){0,3}(direct debits?|standing orders?|subscriptions?|scheduled payments?|recurring payments?|payments?|transfers?|bookings?|reservations?|appointments?|accounts?|membership)\\b`,
        `\\b(no longer|do not|never) (need|want|use)\\s+(my|the|this|that|our|these|those|a|an|any)\\s+(\\w+\\s+){0,2}${OBJ_CANCEL}\\b`,
        '\\b(do not|no longer) (need|want) (it|them|that|this)( any ?more| any longer)\\b',
        // leaving the company altogether
        '\\b(want|going|wish|like|plan|planning|decided|thinking of|intend) (\\w+ )?to (leave|quit)(\\s+(you|your \\w+|this (bank|company|place)|the bank|for good|altogether|now))?\\s*([.!?,;]|$)',
        '\\b(go|going|move|moving|take|taking) (my (money|business|account|savings) )?(somewhere else|elsewhere|to another (bank|provider|company))\\b|\\b(switch|switching|change|changing|move|moving) (to another (bank|provider)|banks)\\b',
        // stopping every payment is freezing the account
        '\\b(do not|never) (let|allow) (any|more|further)?\\s*(payments?|transactions?|charges?|withdrawals?|debits?|money)\\b|\\b(block|stop|freeze) (all|any|every) (\\w+ )?(payments?|transactions?|charges?|withdrawals?|debits?)\\b',
        // missing an appointment is cancelling it
        '\\b(can not|cannot|will not be able to|would not be able to|not be able to|unable to) make it\\b(?! work)|\\b(do not|no longer) want to meet\\b',
      ].join('|'),
    ),
    unless: CANCEL_QUESTION,
  },
  {
    flag: 'cancellation:cancel_request',
    re: new RegExp(
      `\\b(cancel|canceling|cancelling|terminate|terminating|end|discontinue|kill|revert|reverse|stop|suspend|freeze)\\s+(my|the|this|our|that|a|an|these|those|all my)?\\s*(\\w+\\s+){0,2}${OBJ_CANCEL}\\b|\\b${OBJ_CANCEL}\\b.{0,25}\\b(be |get |been )?cancel(l?ed)?\\b|\\b(cancel|stop) (it|that|this)( now| please| today)?\\b|\\bput (\\w+\\s+){0,3}on hold\\b|\\b(make|request|process|need) a cancell?ation\\b`,
    ),
    unless: CANCEL_QUESTION,
  },
  { flag: 'cancellation:close_account', re: /\b(close|closing|shut down|shutting down)\s+(my|the|our|this|that|an|a)\s+(\w+\s+)?(account|mortgage|loan|card|membership)\b/ },
  // refund — money the customer wants back: an amount "back", or any specific refund (a claim, or
  // one that has not arrived). Questions about the policy, eligibility or usual timing stay FAQs.
  {
    flag: 'refund:refund_request',
    re: new RegExp(
      [
        '\\b(want|need|demand|expect|like|get|getting|give me|send me|have)\\s+((my|the|that|those|these|this|all|all of|some|of|a|an|me)\\s+)*([£$€]\\s?\\d[\\d.,]*|\\d[\\d.,]*\\s?([£$€]|pounds?|dollars?|euros?|quid|bucks|usd|gbp|eur)|money|funds|deposit|fees?|charges?|payment)\\s+back\\b',
        '\\b(refund|refunds|refunded|refunding|reimburse|reimbursed|reimbursement|reimbursements|money back)\\b',
      ].join('|'),
    ),
    unless: new RegExp(
      [
        '\\b(polic(y|ies)|terms|conditions|guarantee|eligib\\w*|refundable)\\b',
        '\\b(in )?(what|which) (cases|situations|circumstances)\\b|\\bin (what|which|hwat)\\s?\\w*\\s+(can|may|do|could|would|am|is|are|should)\\b',
        '\\bhow long\\b.{0,40}\\b(take|takes|taking|atke|to arrive|to process|to come)\\b',
        // checking a refund's status is an FAQ the data sets answer automatically; not-arrived claims still fire
        '\\b(status|track|tracking|check|checking|processed)\\b',
        '\\b(can|could|do|would) (i|you|we) (get|request|ask for|receive|have) (a |my )?(refund|money back)\\s+(if|for|on|when|after|with)\\b',
        '\\b(is|are) (it|there|the \\w+|\\w+ items?) (possible to get |able to be |eligible for )?refund(ed|able)?\\s+(if|for|on|when|after)\\b',
        '\\bcashback\\b',
      ].join('|'),
    ),
  },
  // refund — explicit requests for money back; questions about the policy, status or timing are
  // left to the model (data sets disagree on whether "where is my refund" is an FAQ)
  {
    flag: 'refund:refund_request',
    re: /\b(want|need|like|demand|give me|get|request|requesting|issue me|owe me|send me)\s+(a |my |the |full |a full |me a |me my |back )?(refund|money back|reimbursement)\b|\b(refund|reimburse) me\b|\b(charged|billed) (me )?(twice|double)\b|\bdouble (charged|billed)\b/,
    unless: /\b(polic(y|ies)|terms|conditions|eligib\w*|how long|status|track|tracking|when will|check)\b|\b(in )?(what|which) (cases|situations|circumstances)\b/,
  },
];

/** Most to least severe, from the label map's `precedence_for_multi_label`; decides the forced area. */
export const RISK_PRECEDENCE: readonly AreaName[] = [
  'safety',
  'privacy',
  'legal',
  'talk_to_human',
  'complaint',
  'cancellation',
  'refund',
];

function prepare(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019`´]/g, "'")
    .replace(/\bcan't\b/g, 'can not')
    .replace(/\bwon't\b/g, 'will not')
    .replace(/\b(can|don|won|didn|isn|doesn|haven|wouldn|couldn)t\b/g, (_m, w: string) => `${w === 'can' ? 'can' : w === 'won' ? 'will' : w.slice(0, -1)} not`)
    .replace(/n't\b/g, ' not')
    .replace(/'d\b/g, ' would')
    .replace(/\s+/g, ' ');
}

/** Every flag whose detectors fire, as `"area:kind"`, once each (several detectors share a flag), in a stable order. */
export function detectRisk(text: string): string[] {
  const t = prepare(text);
  const out = new Set<string>();
  for (const d of DETECTORS) {
    if (!out.has(d.flag) && d.re.test(t) && !(d.unless && d.unless.test(t))) out.add(d.flag);
  }
  return [...out];
}

/** The area a set of flags forces, by precedence; undefined when no flag names a known area. */
export function forcedArea(flags: readonly string[]): AreaName | undefined {
  const areas = new Set(flags.map((f) => f.split(':')[0]));
  return RISK_PRECEDENCE.find((a) => areas.has(a));
}
