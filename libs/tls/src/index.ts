export { TlsMaterial } from './tls-material';
export type { TlsMaterialOptions, TlsPeerRejection, TlsReloadInfo } from './tls-material';
export { chainHasPinnedKey, normalizePin, publicKeyPin } from './public-key-pin';
