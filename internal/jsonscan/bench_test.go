package jsonscan

import "testing"

// payload is a Cognito ID token's payload, as claims.BenchmarkDecode has it.
var payload = []byte(`{"sub":"df0c456e-05ed-4517-912d-2dfd7a8d12ef","cognito:groups":["admin","support"],` +
	`"email_verified":true,"iss":"https:\/\/cognito-idp.us-east-1.amazonaws.com\/us-east-1_TestPool1","phone_number_verified":true,` +
	`"cognito:username":"TechSupportUser","given_name":"TechSupport","custom:tenant":"acme-corp",` +
	`"origin_jti":"6a8a3c4e-5b0e-4d5e-9d7e-0f1c2b3a4d5e","aud":"testclient1234567890abcdef",` +
	`"event_id":"4a7bca38-b71c-49a2-aa86-3b93a259c21c","token_use":"id","auth_time":1800000000,` +
	`"phone_number":"+15033308402","exp":1800003600,"iat":1800000000,` +
	`"jti":"0b9b1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b","family_name":"Admin","email":"alt@example.com"}`)

// BenchmarkMembers is the validating scan alone, the floor of claims.Decode.
func BenchmarkMembers(b *testing.B) {
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		obj := Members(payload)
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
