// Card payments through Stripe on the checkout page. Mounts Stripe's card field, turns the
// card into a payment method before the form is sent (card details go from the browser
// to Stripe only), and completes the bank's check (3-D Secure) when the store answers
// that the bank asks for one, then sends the same checkout again.
(function () {
  'use strict';
  const mount = document.getElementById('stripe-card-element');
  if (!mount || typeof Stripe === 'undefined') return;
  const stripe = Stripe(mount.dataset.publishableKey);
  const card = stripe.elements().create('card');
  card.mount(mount);
  const form = mount.closest('form');
  const errors = document.getElementById('stripe-card-errors');
  const field = (name) => form.querySelector('input[name="form[' + name + ']"]');
  const cardChosen = () => {
    const chosen = form.querySelector('input[name="form[payment_method]"]:checked');
    return chosen && chosen.value === 'stripe';
  };
  // A saved card needs nothing from the card field: the form goes as it is.
  const savedCardChosen = () => {
    const chosen = form.querySelector('input[name="form[saved_card]"]:checked');
    return chosen && chosen.value !== '';
  };
  const show = (message) => { errors.textContent = message || ''; };
  let passThrough = false;

  const send = () => {
    passThrough = true;
    form.requestSubmit();
  };

  // Runs before the page's own submit handler (capture phase, on the document).
  document.addEventListener('submit', async (event) => {
    if (event.target !== form || !cardChosen() || savedCardChosen()) return;
    if (passThrough) { passThrough = false; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    show('');
    let made = await stripe.createPaymentMethod({ type: 'card', card: card });
    let id = made && made.paymentMethod && made.paymentMethod.id;
    if (made && made.error) { show(made.error.message); return; }
    if (!id) {
      // Stripe.js stand-ins without payment methods: the store charges (or keeps) the
      // token's card.
      made = await stripe.createToken(card);
      if (made.error) { show(made.error.message || 'Check your card details.'); return; }
      id = made.token.id;
    }
    field('stripe_payment_method').value = id;
    field('stripe_payment_intent').value = '';
    send();
  }, true);

  // The store answered that the bank wants the shopper to confirm.
  const confirmWithBank = async (notice) => {
    const secret = notice.dataset.stripeConfirm;
    delete notice.dataset.stripeConfirm;
    const result = await stripe.confirmCardPayment(secret);
    const intent = result.paymentIntent;
    // The bank's request is answered either way: its notice goes.
    notice.hidden = true;
    if (result.error || !intent || !['requires_capture', 'succeeded'].includes(intent.status)) {
      show((result.error && result.error.message) || 'Your bank did not confirm the payment. Try again or use another card.');
      return;
    }
    field('stripe_payment_intent').value = intent.id;
    send();
  };
  new MutationObserver(() => {
    const notice = document.querySelector('[data-stripe-confirm]');
    if (notice && notice.dataset.stripeConfirm) confirmWithBank(notice);
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-stripe-confirm'] });
})();
