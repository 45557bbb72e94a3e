package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/revocation"
)

// revoker revokes the sign-ins of a share of the good tokens and records,
// per token, when its revocation started and returned (unix nanoseconds).
type revoker struct {
	n        int    // tokens to revoke
	how      string // for the report
	pick     []int
	tokens   []string
	started  []atomic.Int64
	done     []atomic.Int64
	revoke   func(ctx context.Context, token string) error
	closeFns []func()
}

func newRevoker(ratio float64, redisAddr, url string, good []string) (*revoker, error) {
	r := &revoker{tokens: good, started: make([]atomic.Int64, len(good)), done: make([]atomic.Int64, len(good))}
	if ratio <= 0 {
		return r, nil
	}
	r.n = min(len(good), int(math.Ceil(ratio*float64(len(good)))))
	r.pick = rand.New(rand.NewPCG(1, 2)).Perm(len(good))[:r.n]
	switch {
	case redisAddr != "":
		rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
		list, err := revocation.New(context.Background(), revocation.Options{Redis: rdb})
		if err != nil {
			rdb.Close()
			return nil, err
		}
		r.closeFns = append(r.closeFns, func() { list.Close(); rdb.Close() })
		r.how = "through a revocation list on Redis " + redisAddr
		r.revoke = func(ctx context.Context, token string) error {
			c, err := unverifiedClaims(token)
			if err != nil {
				return err
			}
			return list.RevokeSession(ctx, c)
		}
	case url != "":
		client := &http.Client{Timeout: 10 * time.Second}
		r.how = "POST " + url
		r.revoke = func(ctx context.Context, token string) error {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				return fmt.Errorf("logout: status %d", resp.StatusCode)
			}
			return nil
		}
	default:
		return nil, errors.New("-revoke-ratio needs -revoke-redis or -revoke-url")
	}
	return r, nil
}

// revokeAll revokes the picked tokens one after another and returns how
// many revocations failed.
func (r *revoker) revokeAll() int64 {
	var failed int64
	for _, i := range r.pick {
		r.started[i].Store(time.Now().UnixNano())
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := r.revoke(ctx, r.tokens[i])
		cancel()
		if err != nil {
			failed++
			continue
		}
		r.done[i].Store(time.Now().UnixNano())
	}
	return failed
}

func (r *revoker) close() {
	for _, f := range r.closeFns {
		f()
	}
}

// unverifiedClaims reads the claims a revocation is keyed by from a token
// this program holds (an admin tool would take them from a verified token).
func unverifiedClaims(token string) (*claims.Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("token: not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var p struct {
		Iss       string  `json:"iss"`
		Sub       string  `json:"sub"`
		JTI       string  `json:"jti"`
		OriginJTI string  `json:"origin_jti"`
		Iat       float64 `json:"iat"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	return &claims.Claims{Issuer: p.Iss, Subject: p.Sub, JTI: p.JTI, OriginJTI: p.OriginJTI,
		IssuedAt: time.Unix(int64(p.Iat), 0)}, nil
}
