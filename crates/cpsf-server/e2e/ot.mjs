// End-to-end test of the factory pages in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
// over a server loaded by `cpsf demo`: log in, open the zone diagram and see the violation drawn in red and listed,
// open the discovered devices, merge the unknown laptop as an engineering workstation, and find it in the asset
// table. Environment: CPSF_URL (a running `cpsf serve`), CPSF_USER / CPSF_PASSWORD (an editor or admin), CPSF_SITE
// (the demo's site), CPSF_SCREENSHOT (optional PNG path). Exits non-zero with a message on the first failure.
import { chromium } from 'playwright-core';

const url = process.env.CPSF_URL;
const user = process.env.CPSF_USER;
const password = process.env.CPSF_PASSWORD;
const site = process.env.CPSF_SITE || 'example-works';
if (!url || !user || !password) {
  console.error('ot.mjs: set CPSF_URL, CPSF_USER and CPSF_PASSWORD');
  process.exit(2);
}

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
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(url)) outside.push(r.url()); });

  await page.goto(`${url}/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${url}/`);

  // From the navigation to the site, then to its zone diagram.
  await page.getByRole('link', { name: 'Plants' }).click();
  await page.getByRole('link', { name: site, exact: true }).click();
  await page.getByRole('link', { name: 'Zones and conduits' }).first().click();
  const diagram = page.getByRole('img', { name: /Zones by Purdue level/ });
  check(await diagram.isVisible(), 'the zone diagram is shown');
  const red = page.locator('svg.zones g.violation polyline[stroke="#c0392b"]');
  check(await red.count() >= 1, 'a violation is drawn in red');
  check((await page.locator('svg.zones g.violation text').first().textContent()).includes('mqtt'), 'labelled with its protocol');
  const listed = page.locator('table.violations tr.violation');
  check(await listed.count() >= 1, 'the violation is listed');
  check((await listed.first().textContent()).includes('sensor-1'), 'from the vibration sensor');
  if (process.env.CPSF_SCREENSHOT) await page.screenshot({ path: process.env.CPSF_SCREENSHOT, fullPage: true });

  // Review the discovered devices and merge the unknown laptop.
  await page.getByRole('link', { name: 'Discovered devices' }).click();
  const laptop = page.getByLabel('discovered-10-20-1-99', { exact: true });
  check(await laptop.isVisible(), 'the unknown laptop is a candidate');
  await laptop.check();
  await page.getByLabel('Kind discovered-10-20-1-99').selectOption('engineering-workstation');
  await page.getByRole('button', { name: 'Merge the chosen devices' }).first().click();
  const status = await page.getByRole('status').first().textContent();
  check(/1 added \(discovered-10-20-1-99\)/.test(status), `merge result: ${status}`);

  // The merged device in the asset table, filtered by its kind.
  await page.getByRole('link', { name: 'Assets' }).first().click();
  await page.getByLabel('Kind').selectOption('engineering-workstation');
  await page.getByRole('button', { name: 'Filter' }).click();
  const row = page.getByRole('row', { name: /discovered-10-20-1-99/ });
  check(await row.isVisible(), 'the merged device is in the asset table');
  check((await row.textContent()).includes('discovered'), 'with its source');
  await row.getByRole('link', { name: 'discovered-10-20-1-99' }).click();
  check((await page.locator('table.facts').textContent()).includes(`discovered`), 'its facts carry their provenance');

  check(outside.length === 0, `requests outside the server: ${outside.join(', ')}`);
  console.log('ot.mjs: ok (merged discovered-10-20-1-99)');
} catch (e) {
  console.error(`ot.mjs: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
