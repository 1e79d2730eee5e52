// The browser console driven by playwright-core on Debian's chromium: sign in, the board,
// an escalated deal approved (it moves on to proposal_ready), another rejected with a note,
// the funnel's drawn values against the server's report, a chat transcript turn by turn,
// and a rep who sees who may decide a VP's approval instead of buttons.
// Usage: node console.cjs PLAYWRIGHT_CORE_DIR URL TOKEN DEAL_TO_APPROVE DEAL_TO_REJECT PROFILE_DIR
//        DEAL_WITH_TWO_QUOTE_REVISIONS INTEGRATION_TOKEN
// with DW_REP_TOKEN (a rep's token), DW_VP_DEAL (a deal waiting for the VP), DW_CHAT_DEAL and
// DW_CHAT_LEAD (a chat lead's deal and the lead's JSON file) in the environment.
'use strict';
const fs = require('fs');
const [pwDir, url, token, approveDeal, rejectDeal, profile, revisedDeal, hookToken] =
  process.argv.slice(2);
const {DW_REP_TOKEN: repToken, DW_VP_DEAL: vpDeal, DW_CHAT_DEAL: chatDeal, DW_CHAT_LEAD: chatLead} = process.env;
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
    const cells = await page.$$eval('#proposal table td.align-right', (t) => t.length);
    check(cells > 0 && !/\|---/.test(await page.textContent('#proposal')),
          'the proposal is rendered HTML: its tables are tables, not Markdown pipes');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#proposal-pdf')]);
    const pdf = fs.readFileSync(await download.path());
    check(pdf.slice(0, 5).toString() === '%PDF-', 'the proposal downloads as a PDF');
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

    // The drawn values are the report's: each bar's number and label, and bar lengths in
    // proportion (the longest bar is the largest value).
    const report = await (await fetch(url + '/v1/reports/funnel', {headers: {Authorization: 'Bearer ' + token}})).json();
    const drawn = (id) => page.$$eval('#' + id + ' g.row', (rows) => rows.map((g) => ({
      label: g.querySelector('text.label').textContent, value: Number(g.dataset.value),
      shown: g.querySelector('text.value').textContent, width: Number(g.querySelector('rect').getAttribute('width')),
      rendered: g.querySelector('rect').getBoundingClientRect().width})));
    const proportional = (rows) => {
      const max = Math.max(...rows.map((r) => r.value));
      const wmax = Math.max(...rows.map((r) => r.width));
      return max > 0 && rows.every((r) => Math.abs(r.width - wmax * r.value / max) < 0.5) &&
             rows.some((r) => r.rendered > 50);
    };
    const funnel = await drawn('chart-funnel');
    check(JSON.stringify(funnel.map((r) => [r.label, r.value])) === JSON.stringify(report.funnel.map((f) => [f.step, f.n])) &&
          funnel.every((r, i) => r.shown.startsWith(String(report.funnel[i].n))) && report.funnel[0].n >= 6,
          'the funnel chart draws the report\'s steps: ' + funnel.map((r) => r.label + ' ' + r.shown).join(', '));
    check(proportional(funnel), 'the funnel\'s bars are drawn in proportion to the counts');
    check(funnel.slice(1).every((r, i) => r.shown.includes('(' + (report.funnel[i + 1].conversion_bp / 100).toFixed(1) + ' %)')),
          'each step shows its conversion from the step before');
    const stages = await drawn('chart-stages');
    check(stages.every((r) => r.value === (report.stages[r.label] || 0) && r.shown === String(r.value)) &&
          stages.reduce((n, r) => n + r.value, 0) === report.funnel[0].n && proportional(stages),
          'the stage chart draws the deals in each stage now: ' + stages.filter((r) => r.value).map((r) => r.label + ' ' + r.value).join(', '));
    const cycle = await drawn('chart-cycle');
    check(cycle.length === report.stage_times.length && cycle.length > 0 &&
          cycle.every((r, i) => r.label === report.stage_times[i].stage && r.value === report.stage_times[i].mean_s &&
                                r.shown.endsWith(report.stage_times[i].n + ' stays')),
          'the time-in-stage chart draws the report\'s stays: ' + cycle.map((r) => r.label + ' ' + r.shown).join(', '));

    // A chat lead: every turn, in order, with who said it; the customer's words highlighted.
    const lead = JSON.parse(fs.readFileSync(chatLead, 'utf8'));
    await page.goto(url + '/#/deals/' + chatDeal);
    await page.waitForFunction((id) => {
      const h = document.querySelector('#deal h1');
      return h && h.textContent.startsWith(id);
    }, chatDeal);
    const turns = await page.$$eval('#deal .transcript .turn', (a) => a.map((t) => ({
      from: t.dataset.from, text: t.querySelector('.message').textContent})));
    check(JSON.stringify(turns) === JSON.stringify(lead.transcript.map((t) => ({from: t.from, text: t.text}))),
          'the chat transcript is shown turn by turn, in order (' + turns.length + ' turns)');
    const marks = await page.$$eval('#deal .transcript .from-customer mark', (a) => a.map((m) => m.textContent));
    check(marks.includes('3 warehouses') && marks.includes('45 access points'),
          'facts read from the customer\'s turns are highlighted in them: ' + marks.join(' | '));

    // A rep: no decision buttons on a VP's approval, and who may decide it instead.
    await page.click('#signout');
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#token', repToken);
    await page.click('#signin-form button');
    await page.waitForFunction(() => document.getElementById('who').textContent !== '');
    check(await page.textContent('#who') === 'lukas · rep', 'the header names the signed-in user and role');
    await page.goto(url + '/#/deals/' + vpDeal);
    await page.waitForFunction((id) => {
      const h = document.querySelector('#deal h1');
      return h && h.textContent.startsWith(id) && document.querySelector('#deal .approval');
    }, vpDeal);
    const vpCard = page.locator('#deal .approval').first();
    check(/needs vp/.test(await vpCard.textContent()), 'the VP deal waits for the VP');
    check(await vpCard.locator('button').count() === 0 && await vpCard.locator('textarea').count() === 0,
          'a rep sees no Approve or Reject on a VP\'s approval');
    check(/Waiting for a decision by david \(vp\)/.test(await vpCard.locator('.deciders').textContent()),
          'a rep sees who may decide it: ' + await vpCard.locator('.deciders').textContent());
    await page.click('#nav-approvals');
    await page.waitForSelector('#inbox');
    check((await page.$$('#inbox .approval')).length === 1 && (await page.$$('#inbox button')).length === 0,
          'the rep\'s inbox lists the waiting approval without buttons');

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
