import { describe, expect, it } from 'vitest';
import { detectRisk, forcedArea } from './risk.js';

const FIRES: Array<[string, string]> = [
  ['I think someone is committing fraud with my account', 'safety:fraud'],
  ['my account has been hacked', 'safety:account_compromised'],
  ['someone has access to my account and changed the email', 'safety:account_compromised'],
  ['my card was stolen yesterday', 'safety:lost_or_stolen'],
  ['I lost my wallet with both cards', 'safety:lost_or_stolen'],
  ["there's a payment I didn't make on my statement", 'safety:unauthorised_transaction'],
  ['unauthorised transactions on my card', 'safety:unauthorised_transaction'],
  ['money left my account without my permission', 'safety:unauthorised_transaction'],
  ['how do I freeze my debit card', 'safety:card_freeze'],
  ['the bank told me there was a security breach on my card', 'safety:account_compromised'],
  ['I will hurt your staff if this is not fixed', 'safety:threat_of_harm'],
  ['the charger caught fire on my desk', 'safety:product_hazard'],
  ['my son got an electric shock from the kettle', 'safety:product_hazard'],
  ['the toy is a choking hazard, my kid almost choked', 'safety:product_hazard'],
  ['is this heater part of the product recall?', 'safety:product_hazard'],
  ['please delete my data', 'privacy:data_deletion'],
  ['erase all of my personal information from your systems', 'privacy:data_deletion'],
  ['this is a GDPR request', 'privacy:data_rights'],
  ['please remove my phone number from your records', 'privacy:data_deletion'],
  ['stop sharing my data with advertisers', 'privacy:data_sharing'],
  ['under the CCPA I want to know what you collected', 'privacy:data_rights'],
  ['what data do you hold about me?', 'privacy:data_access'],
  ['I want a copy of my personal data you stored', 'privacy:data_access'],
  ['my lawyer will be in touch', 'legal:legal_threat'],
  ['I am going to sue you', 'legal:legal_threat'],
  ['I have received a subpoena for your records', 'legal:legal_threat'],
  ['I will take legal action', 'legal:legal_threat'],
  ['let me speak to a human', 'talk_to_human:human_requested'],
  ['can I talk to a real person please', 'talk_to_human:human_requested'],
  ['put me through to your manager', 'talk_to_human:human_requested'],
  ['connect me with an agent', 'talk_to_human:human_requested'],
  ['cancel my subscription', 'cancellation:cancel_request'],
  ['I want to cancel my order #A1234', 'cancellation:cancel_request'],
  ['please end my membership', 'cancellation:cancel_request'],
  ['I would like to close my account', 'cancellation:close_account'],
  ['I want a refund for the shoes', 'refund:refund_request'],
  ['can I speak with one of your agents', 'talk_to_human:human_requested'],
  ['i do not want to talk to a bot, give me a human', 'talk_to_human:human_requested'],
  ['please stop my standing order', 'cancellation:cancel_request'],
  ["I paid to cancel my overdraft and I won't pay any more fees", 'cancellation:cancel_request'],
  ['I want to close my mortgage', 'cancellation:close_account'],
  ["I don't know where my card is", 'safety:lost_or_stolen'],
  ['i think i forgot my phone in the gym', 'safety:lost_or_stolen'],
  ['my laptop is missing from my room', 'safety:lost_or_stolen'],
  ['can I speak directly with the reception?', 'talk_to_human:human_requested'],
  ['I need to make a cancellation for tonight', 'cancellation:cancel_request'],
  ['how can I cancel my room?', 'cancellation:cancel_request'],
  ['you charged me twice for the same order', 'refund:refund_request'],
  ['I want to file a complaint', 'complaint:complaint_request'],
  // Handrail issue 4: context turns and general support phrasings of the NLU++ risk concepts
  ['I lost it yesterday on the bus', 'safety:lost_or_stolen'],
  ["I can't seem to find my passport anywhere", 'safety:lost_or_stolen'],
  ['my headphones seem to be missing from the room', 'safety:lost_or_stolen'],
  ['has anyone handed in a black umbrella?', 'safety:lost_or_stolen'],
  ['my wallet fell out of my pocket on the train', 'safety:lost_or_stolen'],
  ['no, it was not stolen, it is just lost', 'safety:lost_or_stolen'],
  ['close it on Friday please', 'cancellation:cancel_request'],
  ['can you freeze both of them', 'cancellation:cancel_request'],
  ['I no longer need my savings account', 'cancellation:cancel_request'],
  ["I've had enough, I want to leave.", 'cancellation:cancel_request'],
  ['I am moving my money to another bank', 'cancellation:cancel_request'],
  ["I won't be able to make it to the appointment tomorrow", 'cancellation:cancel_request'],
  ['please block all card payments for now', 'cancellation:cancel_request'],
  ['remove the direct debit to my gym', 'cancellation:cancel_request'],
  ['please cancel the 9:30 spa appointment for two', 'cancellation:cancel_request'],
  ['i cant make it to the dinner reservation', 'cancellation:cancel_request'],
  ['transfer me to the billing department', 'talk_to_human:human_requested'],
  ['I would rather be talking with a real person', 'talk_to_human:human_requested'],
  ["I don't want to share my details with a bot", 'talk_to_human:human_requested'],
  ['housekeeping team please', 'talk_to_human:human_requested'],
  ['can I get someone on the phone?', 'talk_to_human:human_requested'],
  ['how do I contact customer assistance', 'talk_to_human:human_requested'],
  ['I want my 25 dollars back', 'refund:refund_request'],
  ['I still have not received the refund you promised', 'refund:refund_request'],
  ['where do I send my reimbursement claim?', 'refund:refund_request'],
];

const MUST_NOT_FIRE: Array<[string, string]> = [
  ['please cancel my last message, wrong chat', 'cancellation'],
  ['what is your refund policy on sale items?', 'refund'],
  ['my card arrived, how do I activate it', 'safety'],
  // A question about where data lives is an FAQ, not a data-rights request: no privacy flag.
  ['is my personal data stored in the EU?', 'privacy'],
  ['what is the cancellation fee for my order?', 'cancellation'],
  ['how long does a refund usually take?', 'refund'],
  ['in what cases can I request a refund?', 'refund'],
  ['how do I cancel my newsletter subscription', 'cancellation'],
  ['how much does it cost to cancel my plan?', 'cancellation'],
  ['how do I remove a card from my account', 'privacy'],
  ['I can not recall my password', 'safety'],
  ['the new phone case fits perfectly', 'safety'],
  ['where is my order', 'cancellation'],
  ['can I change the delivery address', 'talk_to_human'],
  ['my card is on its way, when will it arrive?', 'safety'],
  ['my card payment was declined at the shop', 'safety'],
  ['how do I put money on my card', 'cancellation'],
  ['can I put my card in apple pay', 'cancellation'],
  ['I left a review yesterday', 'safety'],
  ['can I leave my bags at reception after checkout', 'safety'],
  ['how do I unlock the app after too many attempts', 'safety'],
  // Handrail issue 4: look-alikes of the new phrasings
  ['I lost my password', 'safety'],
  ['I lost my pin, how do I reset it', 'safety'],
  ["I can't find the settings page in the app", 'safety'],
  ['I cannot find the card PIN in the letter', 'safety'],
  ['I thought I had lost it but I found it this morning', 'safety'],
  ['remove it from my cart please', 'cancellation'],
  ['we would like to leave a little later on Sunday', 'cancellation'],
  ['I want to leave a review for the spa', 'cancellation'],
  ['how can I switch to another account in the app', 'cancellation'],
  ['what are the charges for cancelling my contract?', 'cancellation'],
  ['I cannot make it work on my phone', 'cancellation'],
  ['how long do refunds usually take?', 'refund'],
  ['in which cases can I ask for a reimbursement?', 'refund'],
  ['can I check the status of my refund?', 'refund'],
  ['can I get cashback at the till?', 'refund'],
  ['the card machine at the shop is not working', 'talk_to_human'],
  ['how do I talk to the app about my balance', 'talk_to_human'],
];

describe('risk detectors — fire on explicit requests and incidents', () => {
  it.each(FIRES)('%s → %s', (text, flag) => {
    expect(detectRisk(text)).toContain(flag);
  });
});

describe('risk detectors — stay quiet on look-alike questions', () => {
  it.each(MUST_NOT_FIRE)('%s (no %s flag)', (text, area) => {
    expect(detectRisk(text).filter((f) => f.startsWith(`${area}:`))).toEqual([]);
  });
});

describe('risk detectors — precedence', () => {
  it('safety beats privacy beats legal beats talk_to_human beats cancellation', () => {
    expect(forcedArea(['cancellation:cancel_request', 'safety:fraud'])).toBe('safety');
    expect(forcedArea(['legal:legal_threat', 'privacy:data_deletion'])).toBe('privacy');
    expect(forcedArea(['talk_to_human:human_requested', 'legal:legal_threat'])).toBe('legal');
    expect(forcedArea(['cancellation:cancel_request', 'talk_to_human:human_requested'])).toBe('talk_to_human');
    expect(forcedArea([])).toBeUndefined();
  });
  it('a message with several risks reports every flag', () => {
    const flags = detectRisk('my card was stolen, cancel my account and let me talk to a manager');
    expect(flags).toEqual(expect.arrayContaining(['safety:lost_or_stolen', 'cancellation:cancel_request', 'talk_to_human:human_requested']));
    expect(forcedArea(flags)).toBe('safety');
  });
});

describe('risk detectors — each flag once', () => {
  // `handrail draft` and `handrail explain` printed "safety:lost_or_stolen, safety:lost_or_stolen":
  // several detectors share a flag, and each that fired added it again.
  it('classifier — a flag is listed once when several of its detectors fire (issue 9)', () => {
    expect(detectRisk('I lost my wallet and I want to speak to a human')).toEqual(['safety:lost_or_stolen', 'talk_to_human:human_requested']);
    expect(detectRisk('please delete my data from your records')).toEqual(['privacy:data_deletion']);
  });
});
