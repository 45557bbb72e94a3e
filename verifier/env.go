package verifier

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by ConfigFromEnv. Only the first three are
// usually needed; every other one leaves its Config field at the default
// when unset or empty.
const (
	EnvUserPoolID        = "COGNITO_USER_POOL_ID"             // UserPoolID, required: us-east-1_AbCdEfGhI
	EnvClientID          = "COGNITO_CLIENT_ID"                // ClientIDs, comma-separated; required unless skipped
	EnvTokenUse          = "COGNITO_TOKEN_USE"                // TokenUse, required: access, id or any
	EnvSkipClientIDCheck = "COGNITO_SKIP_CLIENT_ID_CHECK"     // SkipClientIDCheck: true or false
	EnvIssuer            = "COGNITO_ISSUER"                   // Issuer, for emulators
	EnvJWKSURL           = "COGNITO_JWKS_URL"                 // JWKSURL, for emulators
	EnvAllowedAlgorithms = "COGNITO_ALLOWED_ALGORITHMS"       // AllowedAlgorithms, comma-separated
	EnvLeeway            = "COGNITO_LEEWAY"                   // Leeway, a Go duration: 30s
	EnvMaxTokenSize      = "COGNITO_MAX_TOKEN_SIZE"           // MaxTokenSize, bytes
	EnvFetchTimeout      = "COGNITO_FETCH_TIMEOUT"            // FetchTimeout, a duration
	EnvRefetchCooldown   = "COGNITO_REFETCH_COOLDOWN"         // RefetchCooldown, a duration
	EnvRefreshInterval   = "COGNITO_REFRESH_INTERVAL"         // RefreshInterval, a duration
	EnvMaxKeyAge         = "COGNITO_MAX_KEY_AGE"              // MaxKeyAge, a duration
	EnvCacheSize         = "COGNITO_CACHE_SIZE"               // CacheSize, tokens; negative disables
	EnvCacheBytes        = "COGNITO_CACHE_BYTES"              // CacheBytes, bytes
	EnvInsecureAllowHTTP = "COGNITO_INSECURE_ALLOW_HTTP_JWKS" // InsecureAllowHTTPJWKS: true or false
)

// ConfigFromEnv builds a Config from the environment variables named by the
// Env* constants: the pool ID, its app clients (comma-separated) and the
// token use, plus the common settings. It returns an error naming the
// variable for any value it cannot read (a duration, number, boolean or
// token use that does not parse, a required variable missing); the Config
// is validated further by New. The caller may adjust the result (Logger,
// HTTPClient, CustomCheck) before New.
func ConfigFromEnv() (Config, error) { return configFromEnv(os.Getenv) }

func configFromEnv(getenv func(string) string) (Config, error) {
	var c Config
	var errs []error
	bad := func(name, want string) {
		errs = append(errs, fmt.Errorf("verifier: %s=%s: want %s", name, quote(getenv(name)), want))
	}
	c.UserPoolID = strings.TrimSpace(getenv(EnvUserPoolID))
	if c.UserPoolID == "" {
		errs = append(errs, fmt.Errorf("verifier: %s is not set (a user pool ID such as us-east-1_AbCdEfGhI)", EnvUserPoolID))
	}
	c.ClientIDs = list(getenv(EnvClientID))
	switch u := strings.TrimSpace(getenv(EnvTokenUse)); u {
	case "access":
		c.TokenUse = AccessToken
	case "id":
		c.TokenUse = IDToken
	case "any":
		c.TokenUse = AnyToken
	case "":
		errs = append(errs, fmt.Errorf("verifier: %s is not set (access, id or any)", EnvTokenUse))
	default:
		bad(EnvTokenUse, "access, id or any")
	}
	flag := func(name string, dst *bool) {
		if s := strings.TrimSpace(getenv(name)); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				bad(name, "true or false")
			}
			*dst = b
		}
	}
	duration := func(name string, dst *time.Duration) {
		if s := strings.TrimSpace(getenv(name)); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				bad(name, "a positive duration such as 30s or 1h")
			}
			*dst = d
		}
	}
	integer := func(name string, dst *int64) {
		if s := strings.TrimSpace(getenv(name)); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				bad(name, "a whole number")
			}
			*dst = n
		}
	}
	flag(EnvSkipClientIDCheck, &c.SkipClientIDCheck)
	flag(EnvInsecureAllowHTTP, &c.InsecureAllowHTTPJWKS)
	if len(c.ClientIDs) == 0 && !c.SkipClientIDCheck {
		errs = append(errs, fmt.Errorf("verifier: %s is not set (app client IDs, comma-separated; or %s=true, knowingly)", EnvClientID, EnvSkipClientIDCheck))
	}
	c.Issuer = strings.TrimSpace(getenv(EnvIssuer))
	c.JWKSURL = strings.TrimSpace(getenv(EnvJWKSURL))
	c.AllowedAlgorithms = list(getenv(EnvAllowedAlgorithms))
	duration(EnvLeeway, &c.Leeway)
	duration(EnvFetchTimeout, &c.FetchTimeout)
	duration(EnvRefetchCooldown, &c.RefetchCooldown)
	duration(EnvRefreshInterval, &c.RefreshInterval)
	duration(EnvMaxKeyAge, &c.MaxKeyAge)
	var size, cacheSize int64
	integer(EnvMaxTokenSize, &size)
	integer(EnvCacheSize, &cacheSize)
	integer(EnvCacheBytes, &c.CacheBytes)
	if size < 0 || size > 1<<30 {
		bad(EnvMaxTokenSize, "a size in bytes up to 1 GiB")
	}
	if cacheSize < -1<<31 || cacheSize > 1<<31 {
		bad(EnvCacheSize, "a number of tokens")
	}
	c.MaxTokenSize, c.CacheSize = int(size), int(cacheSize)
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// list splits a comma-separated value, dropping blanks.
func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
