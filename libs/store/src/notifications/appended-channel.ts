/** The channel every append notifies at commit (payload: the last position); private to the store. */
export const APPENDED_CHANNEL = 'eventlog_appended';
