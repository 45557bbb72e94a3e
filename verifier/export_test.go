package verifier

// HeaderCached reports whether v holds token's header segment parsed, for
// the external tests of the header cache.
func HeaderCached(v *Verifier, token string) bool {
	seg, ok := split(token)
	return ok && v.headers.get(seg.header) != nil
}

// CacheBytesHeld returns the bytes v's token cache accounts its entries for.
func CacheBytesHeld(v *Verifier) int64 {
	if v.cache == nil {
		return 0
	}
	return v.cache.held()
}
