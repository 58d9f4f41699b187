import type { TrainingExample } from '../types.js';

/**
 * A small hand-written support data set (retail + banking flavour) for unit tests. Written for this
 * repository; it deliberately shares no phrases with the public evaluation sets.
 */
const RAW: Record<string, { area: TrainingExample['area']; phrases: string[] }> = {
  track_order: {
    area: 'faq_status',
    phrases: [
      'where is my order',
      'has my parcel shipped yet',
      'when will my package arrive',
      'can you tell me the delivery status of my order',
      'my order has not arrived yet, where is it',
      'how do I track my shipment',
      'what is the tracking number for my order',
      'is my order on its way',
      'when is my delivery expected',
      'order status please',
    ],
  },
  opening_hours: {
    area: 'faq_status',
    phrases: [
      'what time do you open',
      'are your stores open on sunday',
      'what are your opening hours',
      'when does the shop close today',
      'is the store open on bank holidays',
      'what hours is customer support available',
      'are you open late on thursday',
      'what time does the branch close',
    ],
  },
  change_address: {
    area: 'routine',
    phrases: [
      'I need to change my delivery address',
      'how do I update my shipping address',
      'can I edit the address on my account',
      'please update my address to the new one',
      'I moved house, how do I change my address',
      'change the postal address on file',
      'update my billing address please',
      'I want to set a different delivery address',
    ],
  },
  reset_password: {
    area: 'routine',
    phrases: [
      'I forgot my password',
      'how do I reset my password',
      'I can not log in, need a new password',
      'password reset link please',
      'help me recover my login password',
      'the reset password email never came',
      'how can I change my password',
      'my password does not work anymore',
    ],
  },
  payment_declined: {
    area: 'triage',
    phrases: [
      'my card payment was declined',
      'why was my payment rejected at checkout',
      'the checkout keeps failing when I pay',
      'my transaction did not go through',
      'payment error at checkout',
      'my card got declined at the shop',
      'the payment page shows an error',
      'I could not complete the payment',
    ],
  },
  request_refund: {
    area: 'refund',
    phrases: [
      'I would like my money back for this item',
      'please refund the jacket I returned',
      'I was overcharged and want a refund',
      'can I get reimbursed for the broken blender',
      'return the money to my card please',
      'refund my purchase, it arrived damaged',
      'I need a refund for the cancelled delivery',
      'send my money back',
    ],
  },
  close_account: {
    area: 'cancellation',
    phrases: [
      'I want to close my account',
      'please cancel my subscription',
      'end my membership now',
      'terminate my contract',
      'I no longer want this service, shut it down',
      'stop my plan from renewing',
      'cancel my account today',
      'I am leaving, close everything',
    ],
  },
  card_stolen: {
    area: 'safety',
    phrases: [
      'someone stole my card',
      'my wallet was stolen with my card in it',
      'there are payments I did not make on my account',
      'my account was hacked',
      'I lost my card on the train',
      'strange transactions I do not recognise',
      'I think my card has been compromised',
      'fraudulent charges on my statement',
    ],
  },
};

export const FIXTURE_EXAMPLES: TrainingExample[] = Object.entries(RAW).flatMap(([intent, { area, phrases }]) =>
  phrases.map((text) => ({ text, intent, area })),
);
