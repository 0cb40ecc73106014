// End-to-end test of the public supplier questionnaire in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): open a personal link without an account, switch to Japanese, answer two questions, attach a
// file, submit, and see the confirmation.
// Usage: node questionnaire.mjs LINK (the full personal link, http://127.0.0.1:PORT/q/cpsfq_...).
// Environment: CHROMIUM (default /usr/bin/chromium), CPSF_SCREENSHOT (optional PNG path).
// Exits non-zero with a message on the first failure.
import { chromium } from 'playwright-core';

const link = process.argv[2];
if (!link || !/\/q\/cpsfq_/.test(link)) {
  console.error('questionnaire.mjs: usage: node questionnaire.mjs http://HOST:PORT/q/cpsfq_...');
  process.exit(2);
}
const origin = new URL(link).origin;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  // Nothing may be fetched from anywhere but the server.
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(origin)) outside.push(r.url()); });

  await page.goto(link);
  check((await page.locator('html').getAttribute('lang')) === 'en', 'the page starts in English');
  check(await page.getByRole('button', { name: 'Submit answers' }).isVisible(), 'the English form');

  // The language switch, by keyboard-reachable link.
  await page.getByRole('link', { name: '日本語' }).click();
  await page.waitForURL(/lang=ja/);
  check((await page.locator('html').getAttribute('lang')) === 'ja', 'the page says it is Japanese');
  check(await page.getByRole('button', { name: '回答を送信' }).isVisible(), 'the Japanese form');

  // Two answers, by their labels, in the first two questions; a file attached to the second.
  const questions = page.locator('fieldset');
  check((await questions.count()) >= 2, 'at least two questions');
  await questions.nth(0).getByLabel('状態').selectOption('implemented');
  await questions.nth(0).getByLabel('コメント').fill('ブラウザーから回答しました');
  await questions.nth(1).getByLabel('状態').selectOption('partially');
  await questions.nth(1).getByLabel(/エビデンスファイル/).setInputFiles({
    name: 'evidence.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('evidence attached in the browser test\n'),
  });
  await page.getByRole('button', { name: '回答を送信' }).click();

  const status = await page.getByRole('status').first().textContent();
  check(status.includes('回答を受け付けました'), `the confirmation: ${status}`);
  check(await page.getByRole('heading', { name: 'ご回答ありがとうございました' }).isVisible(), 'the thank-you heading');
  check((await page.locator('html').getAttribute('lang')) === 'ja', 'the confirmation in Japanese');

  // Opening the link again shows the answers kept.
  await page.getByRole('link', { name: '回答を変更する' }).click();
  check((await questions.nth(0).getByLabel('状態').inputValue()) === 'implemented', 'the first answer is kept');
  check((await page.getByRole('status').first().textContent()).includes('回答日'), 'the page says it was answered');

  if (process.env.CPSF_SCREENSHOT) await page.screenshot({ path: process.env.CPSF_SCREENSHOT, fullPage: true });
  check(outside.length === 0, `requests outside the server: ${outside.join(', ')}`);
  console.log('questionnaire.mjs: ok');
} catch (e) {
  console.error(`questionnaire.mjs: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
