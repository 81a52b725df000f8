/** The audit settings of the configuration (see AuditConfig), injected by this token. */
export const AUDIT_CONFIG = Symbol('AuditConfig');
