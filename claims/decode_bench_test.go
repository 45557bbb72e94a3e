package claims

import (
	"testing"

	"github.com/cognitoauth/cognitoauth/internal/jsonscan"
)

// cognitoPayload is the payload of verifier.BenchmarkRS256's token: a real
// Cognito ID token's shape, slashes escaped as Cognito writes them.
var cognitoPayload = []byte(`{"sub":"df0c456e-05ed-4517-912d-2dfd7a8d12ef","cognito:groups":["admin","support"],` +
	`"email_verified":true,"iss":"https:\/\/cognito-idp.us-east-1.amazonaws.com\/us-east-1_TestPool1","phone_number_verified":true,` +
	`"cognito:username":"TechSupportUser","given_name":"TechSupport","custom:tenant":"acme-corp",` +
	`"origin_jti":"6a8a3c4e-5b0e-4d5e-9d7e-0f1c2b3a4d5e","aud":"testclient1234567890abcdef",` +
	`"event_id":"4a7bca38-b71c-49a2-aa86-3b93a259c21c","token_use":"id","auth_time":1800000000,` +
	`"phone_number":"+15033308402","exp":1800003600,"iat":1800000000,` +
	`"jti":"0b9b1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b","family_name":"Admin","email":"alt@example.com"}`)

// BenchmarkDecode compares Decode with the encoding/json reference on one
// Cognito-shaped payload. BenchmarkScan times the validating scan alone,
// the part of Decode any correct decoder must do.
func BenchmarkDecode(b *testing.B) {
	for _, d := range []struct {
		name string
		fn   func([]byte) (*Claims, error)
	}{{"fast", decodeFast}, {"reference", decodeReference}} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(cognitoPayload)))
			for b.Loop() {
				if _, err := d.fn(cognitoPayload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkScan(b *testing.B) {
	b.SetBytes(int64(len(cognitoPayload)))
	for b.Loop() {
		obj := jsonscan.Members(cognitoPayload)
		for {
			if _, _, ok := obj.Next(); !ok {
				break
			}
		}
		if !obj.Valid() {
			b.Fatal("invalid")
		}
	}
}
