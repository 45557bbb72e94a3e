package verifier_test

import (
	"sync"
	"testing"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestConfigNotAliased: every slice taken from Config (ClientIDs, Pools and
// a pool's ClientIDs, AllowedAlgorithms, JWKS) is copied by New. Each is
// changed after New, concurrently with verifications (so that -race sees
// any sharing), and the verdicts do not change.
func TestConfigNotAliased(t *testing.T) {
	t.Parallel()
	a := startPool(t, cognitotest.Options{ClientIDs: []string{"aliasclienta", "otherclienta"}})
	b := startPool(t, cognitotest.Options{UserPoolID: "us-west-2_AliasPool", ClientIDs: []string{"aliasclientb", "otherclientb"}})
	cfg := a.Config(verifier.IDToken)
	cfg.ClientIDs = []string{"aliasclienta"}
	cfg.JWKS = a.JWKS()
	cfg.AllowedAlgorithms = []string{"RS256"}
	pb := b.Config(verifier.IDToken)
	cfg.Pools = []verifier.Pool{{
		UserPoolID: pb.UserPoolID, ClientIDs: []string{"aliasclientb"}, TokenUse: verifier.IDToken,
		Issuer: pb.Issuer, JWKSURL: pb.JWKSURL, JWKS: b.JWKS(),
	}}
	cfg.HTTPClient = a.HTTPClient() // both pools' servers share the test CA
	cfg.CacheSize = -1              // every Verify reads the configuration
	v := buildVerifier(t, cfg)

	goodA, goodB := a.IDToken(cognitotest.User{}), b.IDToken(cognitotest.User{})
	otherA := a.IDToken(cognitotest.User{}, cognitotest.WithClientID("otherclienta"))
	otherB := b.IDToken(cognitotest.User{}, cognitotest.WithClientID("otherclientb"))
	check := func() {
		mustVerify(t, v, goodA)
		mustVerify(t, v, goodB)
		expectRejected(t, v, otherA, verifier.ErrClientMismatch, "aud")
		expectRejected(t, v, otherB, verifier.ErrClientMismatch, "aud")
	}
	check()

	var wg sync.WaitGroup
	wg.Go(func() {
		cfg.ClientIDs[0] = "otherclienta"
		cfg.Pools[0].ClientIDs[0] = "otherclientb"
		cfg.Pools[0].UserPoolID = "us-east-1_Changed"
		cfg.AllowedAlgorithms[0] = "ES256"
		clear(cfg.JWKS)
		clear(cfg.Pools[0].JWKS)
	})
	check()
	wg.Wait()
	check()
	if a.JWKSRequests() != 0 || b.JWKSRequests() != 0 {
		t.Errorf("JWKS requests a=%d b=%d, want 0: the preloaded sets were lost", a.JWKSRequests(), b.JWKSRequests())
	}
}
