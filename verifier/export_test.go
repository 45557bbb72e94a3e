package verifier

// CacheBytesHeld returns the bytes v's token cache accounts its entries for.
func CacheBytesHeld(v *Verifier) int64 {
	if v.cache == nil {
		return 0
	}
	return v.cache.held()
}

// OutcomeOf is the cognitoauth.outcome value Verify records for err.
func OutcomeOf(err error) string { return outcomeOf(err).String() }
