// Debian's Chromium as the browser tests and the screenshots run it: headless, and quiet (no network
// of its own, which this machine's closed network would refuse anyway).

/** Where Debian's package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium'

/** How to get it on a machine without it. */
export const CHROMIUM_INSTALL = 'apt-get install -y chromium'

/** The flags the browser runs with. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]
