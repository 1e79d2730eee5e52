// The browser console driven by playwright-core on Debian's chromium: sign in, the board,
// an escalated deal approved (it moves on to proposal_ready), another rejected with a note,
// the funnel, and a message that tries to instruct shown as text.
// Usage: node console.cjs PLAYWRIGHT_CORE_DIR URL TOKEN DEAL_TO_APPROVE DEAL_TO_REJECT PROFILE_DIR
//        DEAL_WITH_TWO_QUOTE_REVISIONS INTEGRATION_TOKEN
'use strict';
const [pwDir, url, token, approveDeal, rejectDeal, profile, revisedDeal, hookToken] =
  process.argv.slice(2);
const {chromium} = require(pwDir);

function check(cond, what) {
  if (!cond) throw new Error('FAIL: ' + what);
  console.log('ok - ' + what);
}

(async () => {
  // A fresh profile directory (--user-data-dir) per run.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] || await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  // Refused requests (a 404 before a proposal exists, a 400 for a rejection without a note)
  // are expected; script errors and policy violations are not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push('console: ' + m.text());
  });
  page.setDefaultTimeout(15000);
  try {
    await page.goto(url + '/');
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#token', 'dwt_' + '0'.repeat(64));
    await page.click('#signin-form button');
    await page.waitForFunction(() => /refused/.test(document.getElementById('signin-error').textContent));
    check(true, 'an unknown token is refused at sign-in');

    await page.fill('#token', token);
    await page.click('#signin-form button');
    await page.waitForSelector('#board');
    const stored = await page.evaluate(() => sessionStorage.getItem('dealwright.token'));
    check(stored === token, 'signed in; the token is kept in session storage');
    const cards = await page.$$eval('[data-stage="awaiting_approval"] .card', (a) => a.map((x) => x.dataset.deal));
    check(cards.includes(approveDeal) && cards.includes(rejectDeal),
          'the board shows the escalated deals under awaiting approval');

    // Live: a lead posted elsewhere shows up on the open board, with no navigation.
    await page.waitForFunction(() => document.getElementById('live').textContent === 'live');
    const before = (await page.$$('#board .card')).length;
    const res = await fetch(url + '/v1/leads', {
      method: 'POST',
      headers: {Authorization: 'Bearer ' + hookToken, 'Content-Type': 'application/json'},
      body: JSON.stringify({source: 'web_form', external_id: 'console-live-1',
                            received_at: '2026-11-24T09:00:00Z',
                            contact: {name: 'Live Test', email: 'live@live-test.example',
                                      company: 'Live Test AG', country: 'DE'},
                            subject: 'Gateways', message: 'We need 12 edge gateways with LTE failover.'}),
    });
    check(res.status === 202, 'a lead posted by an integration while the board is open');
    await page.waitForFunction((n) => document.querySelectorAll('#board .card').length === n + 1, before);
    check(true, 'the open board shows the new deal from the event stream, without a reload');

    // Approve from the deal page.
    await page.click(`[data-deal="${approveDeal}"]`);
    await page.waitForSelector('#deal');
    check(await page.textContent('#deal-stage') === 'awaiting_approval', 'the deal page opens on the escalated deal');
    check((await page.$$('.message mark')).length > 0, 'requirements are highlighted in the message');
    const card = page.locator('.approval').first();
    const why = await card.textContent();
    check(/Why:/.test(why) && /revision\s*1/.test(why), 'the approval shows why the policy asked and which revision');
    await page.fill('.approval textarea', 'within the quarter plan');
    await page.click('.approval button.approve');
    await page.waitForFunction(() => {
      const s = document.getElementById('deal-stage');
      return s && s.textContent !== 'awaiting_approval';
    });
    // The worker finishes the deal in the background; reload until it moved on.
    let stage = '';
    for (let i = 0; i < 50 && stage !== 'proposal_ready'; i++) {
      await page.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
      await page.waitForTimeout(200);
      stage = await page.textContent('#deal-stage');
    }
    check(stage === 'proposal_ready', 'after approval the deal moves on to proposal_ready');
    check(/approved/.test(await page.textContent('#deal')), 'the deal page shows the decision');
    check((await page.$$('#proposal h2, #proposal p')).length > 0, 'the proposal preview is shown');
    check((await page.$$('#timeline tbody tr')).length > 5, 'the timeline lists events and the audit trail');

    // Reject from the inbox, with a note.
    await page.click('#nav-approvals');
    await page.waitForSelector('#inbox');
    const inbox = await page.$$eval('.approval', (a) => a.map((x) => x.textContent));
    check(!inbox.some((t) => t.includes(approveDeal)), 'the approved deal left the inbox');
    const rej = page.locator('.approval', {hasText: rejectDeal}).first();
    await rej.locator('button.reject').click();
    await rej.locator('.error').filter({hasText: /note/}).waitFor();
    check(true, 'a rejection without a note is refused with the reason shown');
    await rej.locator('textarea').fill('<img src=x onerror=alert(1)> discount too deep');
    await rej.locator('button.reject').click();
    await page.waitForFunction((d) => ![...document.querySelectorAll('.approval')].some((x) => x.textContent.includes(d)), rejectDeal);
    check(true, 'the rejected approval left the inbox');
    await page.goto(url + '/#/deals/' + rejectDeal);
    await page.waitForSelector('#deal');
    const text = await page.textContent('#deal');
    check(/rejected/.test(text) && text.includes('<img src=x onerror=alert(1)>'),
          'the deal page shows the rejection and its note as text');
    check((await page.$$('#deal img')).length === 0, 'markup in a note is not rendered');

    // The comparison loads after the page; wait for this deal's (the rejected deal may have
    // had revisions of its own on the page before).
    await page.goto(url + '/#/deals/' + revisedDeal);
    await page.waitForFunction((id) => {
      const h = document.querySelector('#deal h1');
      const q = document.getElementById('quote-diff');
      return h && h.textContent.startsWith(id) && q && /discount_bp/.test(q.textContent);
    }, revisedDeal).catch(() => {});
    const diff = await page.textContent('#quote-diff');
    check(/discount_bp/.test(diff) && /−/.test(diff), 'the deal page compares its quote revisions (from the diff route): ' + diff.slice(0, 300));

    await page.click('#nav-dashboard');
    await page.waitForSelector('#dashboard svg rect');
    const rate = await page.textContent('#approval-rate');
    check(rate === '50 %', 'the funnel shows the approval rate (' + rate + ')');

    await page.click('#signout');
    await page.waitForSelector('#signin:not([hidden])');
    check(await page.evaluate(() => sessionStorage.getItem('dealwright.token')) === null, 'sign-out forgets the token');
    check(problems.length === 0, 'no script errors or policy violations: ' + problems.join('; '));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
