// The Intercom inbox app's views: pure functions from the shared ContactView to Canvas Kit JSON.
export * from './types.ts';
export * from './text.ts';
export * from './component-ids.ts';
export * from './stored-data.ts';
export * from './limits.ts';
export * from './buttons.ts';
export * from './render-contact.ts';
export * from './render-unqualify.ts';
export * from './render-error.ts';
export * from './request.ts';
export * from './responses.ts';
export * from './validate.ts';
