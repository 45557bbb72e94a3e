package alb

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// Defaults applied by New.
const (
	// DefaultFetchTimeout bounds one key fetch.
	DefaultFetchTimeout = 5 * time.Second
	// DefaultMaxJWKSSize bounds a key response: a PEM P-256 public key is
	// under 200 bytes.
	DefaultMaxJWKSSize = 64 << 10
	// DefaultRefetchCooldown is the least time between two fetches of keys
	// the cache does not hold.
	DefaultRefetchCooldown = 10 * time.Second
	// DefaultMaxTokenSize is the longest token accepted, as for Cognito
	// tokens.
	DefaultMaxTokenSize = verifier.DefaultMaxTokenSize
	// MaxKeys is how many keys the cache holds; the oldest is dropped to make
	// room. ALB signs with a handful of keys per region at a time.
	MaxKeys = 64
)

// Config configures a Verifier. Fields left zero take the documented
// default, except those marked required.
type Config struct {
	// ALBARNs are the load balancers whose tokens are accepted, matched
	// against the header's signer. Required; all in one partition and
	// region, which give the default KeyURL.
	ALBARNs []string
	// ClientIDs are the app clients (the header's client) accepted. Required
	// unless SkipClientIDCheck is set.
	ClientIDs []string
	// SkipClientIDCheck accepts tokens of any app client the load balancers
	// authenticate for. It must be set explicitly.
	SkipClientIDCheck bool
	// Issuer is the identity provider's issuer, which the payload's iss must
	// equal exactly: for Cognito "https://cognito-idp.{region}.amazonaws.com/{pool}".
	// Required.
	Issuer string
	// KeyURL is where ALB's public keys are fetched from, as PEM at
	// KeyURL + "/" + kid (default "https://public-keys.auth.elb.{region}.amazonaws.com",
	// ".amazonaws.com.cn" in the aws-cn partition). GovCloud ARNs require it:
	// AWS publishes those keys under an S3 URL such as
	// "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1".
	// It must be https; nothing in a token can choose it, and the kid
	// appended to it must be a UUID.
	KeyURL string
	// HTTPClient fetches keys (default: a new client). It is copied; the copy
	// never follows redirects.
	HTTPClient *http.Client
	// Leeway tolerates clock skew in the exp, nbf and iat checks (default 0).
	Leeway time.Duration
	// Now is the clock for token times and cooldowns (default time.Now).
	Now func() time.Time
	// MaxTokenSize is the longest token accepted, in bytes, checked before
	// any parsing (default 16 KiB).
	MaxTokenSize int
	// FetchTimeout bounds one key fetch (default 5 s); a caller also stops
	// waiting when its context ends.
	FetchTimeout time.Duration
	// MaxJWKSSize bounds a key response, in bytes (default 64 KiB).
	MaxJWKSSize int64
	// RefetchCooldown is the least time between two fetches caused by kids
	// the cache does not hold, whatever the kid (default 10 s). Tokens with
	// another unknown kid are refused meanwhile without a fetch, so a flood
	// of random kids costs one fetch per cooldown.
	RefetchCooldown time.Duration
	// MeterProvider receives the verifier's metrics: the same
	// cognitoauth.verifications, cognitoauth.verification.duration,
	// cognitoauth.jwks.fetches and cognitoauth.jwks.fetch.duration as
	// package verifier's, with cognitoauth.source "alb". Nil means the
	// global provider, otel.GetMeterProvider(). Attribute values come from
	// fixed sets, never from a token.
	MeterProvider metric.MeterProvider
	// TracerProvider receives one "cognitoauth.jwks.fetch" span per key
	// fetch, with url.template (KeyURL + "/{kid}": the kid comes from a
	// token, so it is left out), the HTTP status and the key count.
	// Verifications make no spans. Nil means the global provider,
	// otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
}

// arnPattern is an Application Load Balancer's ARN:
// arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id}.
var (
	arnPattern    = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):elasticloadbalancing:([a-z]+(?:-[a-z]+)+-[0-9]+):([0-9]{12}):loadbalancer/app/[^/\s]+/[0-9a-zA-Z]+$`)
	errNoARN      = errors.New("alb: no ALBARNs configured")
	errNoIssuer   = errors.New("alb: no Issuer configured (the identity provider's issuer, which iss must equal)")
	errNegLeeway  = errors.New("alb: Leeway is negative")
	errNoClientID = errors.New("alb: no ClientIDs (set SkipClientIDCheck to accept every app client, knowingly)")
	errBothClient = errors.New("alb: ClientIDs and SkipClientIDCheck are both set")
)

// keyURL checks the ARNs and returns the base URL keys are fetched from.
func (c *Config) keyURL() (string, error) {
	if len(c.ALBARNs) == 0 {
		return "", errNoARN
	}
	var partition, region string
	for _, arn := range c.ALBARNs {
		m := arnPattern.FindStringSubmatch(arn)
		if m == nil {
			return "", fmt.Errorf("alb: %q is not an Application Load Balancer ARN (arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id})", arn)
		}
		if region == "" {
			partition, region = m[1], m[2]
		} else if m[1] != partition || m[2] != region {
			return "", fmt.Errorf("alb: ARNs in %s (%s) and %s (%s): every ALB of one Verifier must be in one region, whose keys it fetches", region, partition, m[2], m[1])
		}
	}
	if c.KeyURL != "" {
		u, err := url.Parse(c.KeyURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return "", fmt.Errorf("alb: KeyURL %q is not an absolute https URL without query", c.KeyURL)
		}
		return strings.TrimSuffix(c.KeyURL, "/"), nil
	}
	switch partition {
	case "aws-us-gov":
		return "", fmt.Errorf("alb: GovCloud ARNs (%s) need KeyURL: AWS publishes their keys under a region's S3 URL", region)
	case "aws-cn":
		return "https://public-keys.auth.elb." + region + ".amazonaws.com.cn", nil
	}
	return "https://public-keys.auth.elb." + region + ".amazonaws.com", nil
}

func (c *Config) validate() error {
	if c.Issuer == "" {
		return errNoIssuer
	}
	if len(c.ClientIDs) == 0 && !c.SkipClientIDCheck {
		return errNoClientID
	}
	if len(c.ClientIDs) > 0 && c.SkipClientIDCheck {
		return errBothClient
	}
	for _, id := range c.ClientIDs {
		if id == "" {
			return errors.New("alb: an empty client ID in ClientIDs")
		}
	}
	if c.Leeway < 0 {
		return errNegLeeway
	}
	return nil
}
