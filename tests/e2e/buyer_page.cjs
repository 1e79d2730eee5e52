// The buyer's page driven by playwright-core on Debian's chromium, as a customer on a phone:
// the proposal and the exact quote revision with its hash, then accept (typed name and title,
// the box ticked), decline with a reason, ask for changes; and links to a superseded
// revision, an expired link, a revoked one and a tampered token, each saying so with no form.
// Usage: node buyer_page.cjs PLAYWRIGHT_CORE_DIR URL PROFILE_DIR CASES.json
// CASES.json: {accept: {path, hash, revision, company}, decline: {path}, changes: {path},
//              superseded: {path}, expired: {path}, revoked: {path}, tampered: {path},
//              others: [company names of other deals, which must not appear]}
'use strict';
const fs = require('fs');
const [pwDir, url, profile, casesFile] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
const {chromium} = require(pwDir);

function check(cond, what) {
  if (!cond) throw new Error('FAIL: ' + what);
  console.log('ok - ' + what);
}

(async () => {
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: {width: 390, height: 844},
    isMobile: true,
    hasTouch: true,
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) dealwright-test',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] || await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  // a style blocked by the policy, or a resource it refused, is a console error; the pages
  // of links that accept nothing answer 409 or 403 on purpose
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of (409|403)/.test(m.text()))
      problems.push('console: ' + m.text());
  });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.setDefaultTimeout(15000);
  try {
    // ---- accept ----------------------------------------------------------------------
    const a = cases.accept;
    let resp = await page.goto(url + a.path);
    check(resp.status() === 200, 'the link opens the page (200)');
    const csp = resp.headers()['content-security-policy'] || '';
    check(/default-src 'none'/.test(csp) && /style-src 'nonce-/.test(csp) && !/script-src/.test(csp.replace("default-src 'none'", '')),
          'a strict policy: nothing by default, the style by its nonce, no script');
    check((resp.headers()['referrer-policy'] || '') === 'same-origin' &&
          /no-store/.test(resp.headers()['cache-control'] || ''), 'the token is neither cached nor sent on');
    check(await page.$eval('meta[name=viewport]', (m) => m.content).then((c) => /width=device-width/.test(c)),
          'the page declares a phone viewport');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, 'nothing wider than the phone\'s screen (' + overflow + ' px over)');
    const bg = await page.$eval('#accept button', (b) => getComputedStyle(b).backgroundColor);
    check(bg === 'rgb(31, 111, 67)', 'the page\'s own style applies under the policy (' + bg + ')');
    const box = await page.$eval('#accept button', (b) => b.getBoundingClientRect().height);
    check(box >= 44, 'buttons large enough to tap (' + box + ' px)');
    check((await page.textContent('#quote-hash')).trim() === a.hash, 'the exact revision\'s content hash is shown');
    check(await page.$$eval('article.proposal table', (t) => t.length) >= 2,
          'the proposal is shown as HTML, its tables as tables');
    const text = await page.textContent('body');
    check(text.includes(a.company), 'the page names this deal\'s customer');
    for (const o of cases.others)
      check(!text.includes(o), 'no other deal\'s customer on the page (' + o + ')');
    check(await page.$$eval('script', (s) => s.length) === 0, 'no script on the page');
    await page.fill('#name', 'Jana Hartmann');
    await page.fill('#title', 'Head of IT <Procurement>');
    // the box is required: the browser does not send the form without it
    await page.click('#accept button');
    check(page.url() === url + a.path && await page.$('#accept') !== null,
          'without the box ticked the form is not sent');
    await page.check('#agree');
    await Promise.all([page.waitForNavigation(), page.click('#accept button')]);
    let state = await page.getAttribute('#state', 'data-state');
    check(state === 'accepted', 'accepted: the thank-you page says so');
    check(/O-\d{6}/.test(await page.textContent('#state')), 'the order\'s id is shown');
    resp = await page.goto(url + a.path);
    check(resp.status() === 200 && await page.getAttribute('#state', 'data-state') === 'accepted' &&
          await page.$('#accept') === null, 'the link now shows the acceptance, with no form');

    // ---- decline ----------------------------------------------------------------------
    await page.goto(url + cases.decline.path);
    await page.fill('#reason', 'Our budget was cut for next year; <b>sorry</b>.');
    await Promise.all([page.waitForNavigation(), page.click('#decline button')]);
    check(await page.getAttribute('#state', 'data-state') === 'declined', 'declined with a reason');
    resp = await page.goto(url + cases.decline.path);
    check(resp.status() === 409 && await page.$('#accept') === null,
          'the declined deal\'s link accepts nothing (409, no form)');

    // ---- changes ----------------------------------------------------------------------
    await page.goto(url + cases.changes.path);
    await page.fill('#message', 'Could you quote 24 months instead of 12, and add two spare gateways?');
    await Promise.all([page.waitForNavigation(), page.click('#changes button')]);
    check(await page.getAttribute('#state', 'data-state') === 'changes_requested',
          'a request for changes is taken');

    // ---- links that accept nothing ------------------------------------------------------
    for (const [name, status, words] of [
      ['superseded', 409, /replaced by revision \d+/],
      ['expired', 409, /expired on November 21, 2026/],
      ['revoked', 409, /withdrawn/],
      ['tampered', 403, /not valid/],
    ]) {
      resp = await page.goto(url + cases[name].path);
      const body = await page.textContent('body');
      check(resp.status() === status && words.test(body) && await page.$('#accept') === null &&
            await page.$('form') === null,
            name + ': ' + status + ', "' + body.match(words)[0] + '", no form');
    }
    const outside = requests.filter((r) => !r.startsWith(url));
    check(outside.length === 0, 'no request left the server (' + outside.join(', ') + ')');
    check(problems.length === 0, 'no script error and no policy violation' +
          (problems.length ? ': ' + problems.join('; ') : ''));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e.message || e); process.exit(1); });
