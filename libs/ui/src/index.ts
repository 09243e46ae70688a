// The pieces both consoles use (the master console apps/web and the worker's apps/worker-console):
// browser code only. The charts are @hivemind/ui/charts; the theme is theme.css beside this file,
// listed in each app's styles.
export { type ApiError, apiError } from './api-error';
export { Badge, type Tone, toneOf } from './badge';
export { coalesceMap } from './coalesce';
export { CredentialFields, type Credentials } from './credential-fields';
export { ConsoleBar, type NavLink } from './console-bar';
export { type FieldNote, FieldNoteHint, errorNote, fieldNote } from './field-note';
