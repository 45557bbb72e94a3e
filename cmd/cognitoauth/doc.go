// Command cognitoauth answers an operator's questions about Amazon Cognito
// user pool tokens and runs a fake user pool for local development.
//
//	cognitoauth decode [TOKEN|-]                     header and payload, NOT verified
//	cognitoauth verify --pool ID --client ID [TOKEN|-]  the verifier's verdict
//	cognitoauth keys --pool ID                       the pool's published keys
//	cognitoauth pool --user alice --groups admin     a fake pool serving keys and minting tokens
//
// A token is read from standard input when the argument is "-" or absent, so
// that it stays out of shell history. Exit status: 0 success (token valid,
// keys fetched), 1 refused (or not decodable), 2 usage error, 3 keys
// unavailable. Run "cognitoauth COMMAND --help" for each command's flags.
package main
