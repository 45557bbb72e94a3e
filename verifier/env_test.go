package verifier_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/verifier"
)

var envNames = []string{
	verifier.EnvUserPoolID, verifier.EnvClientID, verifier.EnvTokenUse, verifier.EnvSkipClientIDCheck,
	verifier.EnvIssuer, verifier.EnvJWKSURL, verifier.EnvAllowedAlgorithms, verifier.EnvLeeway,
	verifier.EnvMaxTokenSize, verifier.EnvFetchTimeout, verifier.EnvRefetchCooldown,
	verifier.EnvRefreshInterval, verifier.EnvMaxKeyAge, verifier.EnvCacheSize, verifier.EnvCacheBytes,
	verifier.EnvInsecureAllowHTTP,
}

// setEnv clears every variable ConfigFromEnv reads, then sets env.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, n := range envNames {
		t.Setenv(n, env[n])
	}
}

// TestConfigFromEnv: good values land in their Config fields and New
// accepts the result. Not parallel: it sets the process environment.
func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want verifier.Config
	}{
		{"the three usual variables", map[string]string{
			"COGNITO_USER_POOL_ID": "us-east-1_AbCdEf123", "COGNITO_CLIENT_ID": " client1 , client2,", "COGNITO_TOKEN_USE": "access",
		}, verifier.Config{UserPoolID: "us-east-1_AbCdEf123", ClientIDs: []string{"client1", "client2"}, TokenUse: verifier.AccessToken}},
		{"every setting", map[string]string{
			"COGNITO_USER_POOL_ID": "local_abc123", "COGNITO_SKIP_CLIENT_ID_CHECK": "true", "COGNITO_TOKEN_USE": "any",
			"COGNITO_ISSUER": "http://127.0.0.1:9229/local_abc123", "COGNITO_JWKS_URL": "http://127.0.0.1:9229/local_abc123/.well-known/jwks.json",
			"COGNITO_ALLOWED_ALGORITHMS": "RS256,ES256", "COGNITO_LEEWAY": "30s", "COGNITO_MAX_TOKEN_SIZE": "32768",
			"COGNITO_FETCH_TIMEOUT": "2s", "COGNITO_REFETCH_COOLDOWN": "20s", "COGNITO_REFRESH_INTERVAL": "30m",
			"COGNITO_MAX_KEY_AGE": "12h", "COGNITO_CACHE_SIZE": "-1", "COGNITO_CACHE_BYTES": "1048576",
			"COGNITO_INSECURE_ALLOW_HTTP_JWKS": "true",
		}, verifier.Config{
			UserPoolID: "local_abc123", SkipClientIDCheck: true, TokenUse: verifier.AnyToken,
			Issuer: "http://127.0.0.1:9229/local_abc123", JWKSURL: "http://127.0.0.1:9229/local_abc123/.well-known/jwks.json",
			AllowedAlgorithms: []string{"RS256", "ES256"}, Leeway: 30 * time.Second, MaxTokenSize: 32768,
			FetchTimeout: 2 * time.Second, RefetchCooldown: 20 * time.Second, RefreshInterval: 30 * time.Minute,
			MaxKeyAge: 12 * time.Hour, CacheSize: -1, CacheBytes: 1 << 20, InsecureAllowHTTPJWKS: true,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, tc.env)
			got, err := verifier.ConfigFromEnv()
			if err != nil {
				t.Fatalf("ConfigFromEnv: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ConfigFromEnv =\n%+v\nwant\n%+v", got, tc.want)
			}
			v, err := verifier.New(got)
			if err != nil {
				t.Fatalf("New(ConfigFromEnv()): %v", err)
			}
			v.Close()
		})
	}
}

// TestConfigFromEnvErrors: anything missing or malformed is an error
// naming the variable, with the value quoted and truncated.
func TestConfigFromEnvErrors(t *testing.T) {
	good := map[string]string{"COGNITO_USER_POOL_ID": "us-east-1_AbCdEf123", "COGNITO_CLIENT_ID": "client1", "COGNITO_TOKEN_USE": "id"}
	with := func(name, value string) map[string]string {
		env := map[string]string{}
		for k, v := range good {
			env[k] = v
		}
		env[name] = value
		return env
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		mention string
	}{
		{"nothing set", map[string]string{}, "COGNITO_USER_POOL_ID is not set"},
		{"no client", with("COGNITO_CLIENT_ID", " , "), "COGNITO_CLIENT_ID is not set"},
		{"no token use", with("COGNITO_TOKEN_USE", ""), "COGNITO_TOKEN_USE is not set"},
		{"token use misspelt", with("COGNITO_TOKEN_USE", "ID_TOKEN"), `COGNITO_TOKEN_USE="ID_TOKEN": want access, id or any`},
		{"leeway without unit", with("COGNITO_LEEWAY", "30"), `COGNITO_LEEWAY="30": want a positive duration`},
		{"negative cooldown", with("COGNITO_REFETCH_COOLDOWN", "-1s"), "COGNITO_REFETCH_COOLDOWN"},
		{"size not a number", with("COGNITO_MAX_TOKEN_SIZE", "16k"), `COGNITO_MAX_TOKEN_SIZE="16k"`},
		{"cache bytes not a number", with("COGNITO_CACHE_BYTES", "32MiB"), "COGNITO_CACHE_BYTES"},
		{"flag not a boolean", with("COGNITO_SKIP_CLIENT_ID_CHECK", "yes please"), `COGNITO_SKIP_CLIENT_ID_CHECK="yes please": want true or false`},
		{"long value truncated", with("COGNITO_TOKEN_USE", strings.Repeat("a", 300)), `aaa"...`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, tc.env)
			_, err := verifier.ConfigFromEnv()
			if err == nil || !strings.Contains(err.Error(), tc.mention) || !strings.HasPrefix(err.Error(), "verifier: ") {
				t.Fatalf("ConfigFromEnv error = %v, want it to mention %q", err, tc.mention)
			}
			if strings.Contains(err.Error(), strings.Repeat("a", 100)) {
				t.Errorf("error holds a long value whole: %v", err)
			}
		})
	}
}
