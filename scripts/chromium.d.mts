/** Where Debian's package puts the browser. */
export declare const CHROMIUM: string
/** How to get it on a machine without it. */
export declare const CHROMIUM_INSTALL: string
/** The flags the browser runs with. */
export declare const CHROMIUM_FLAGS: string[]
