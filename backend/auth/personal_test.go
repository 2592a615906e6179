package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// personalCache holds one personal account, as MSAL would have written it
// just before accept() sees the sign-in result.
const personalHome = "00000000-0000-0000-aaaa-bbbbccccdddd." + PersonalTenantID

const personalCache = `{
 "Account": {"k": {"home_account_id":"` + personalHome + `","environment":"login.microsoftonline.com","realm":"organizations","username":"someone@outlook.com","authority_type":"MSSTS"}},
 "RefreshToken": {"r": {"home_account_id":"` + personalHome + `","environment":"login.microsoftonline.com","credential_type":"RefreshToken","client_id":"` + testClientID + `","secret":"rt"}},
 "IdToken": {"i": {"home_account_id":"` + personalHome + `","environment":"login.microsoftonline.com","realm":"organizations","credential_type":"IdToken","client_id":"` + testClientID + `","secret":"x"}}
}`

func personalResult() public.AuthResult {
	var r public.AuthResult
	r.Account = public.Account{HomeAccountID: personalHome, Environment: "login.microsoftonline.com", Realm: "organizations", PreferredUsername: "someone@outlook.com"}
	r.GrantedScopes = []string{"User.Read", "Mail.ReadBasic", "Calendars.ReadBasic", "openid", "profile", "offline_access"}
	return r
}

func TestPersonalAccountRefused(t *testing.T) {
	ctx := context.Background()
	store := &memStore{data: []byte(personalCache)}
	a, err := New(Config{ClientID: testClientID, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := a.Accounts(ctx); len(ids) != 1 {
		t.Fatalf("fixture: Accounts = %v", ids)
	}

	// The tenant comes from the home account id's suffix when the id token
	// carries none.
	_, err = a.accept(ctx, personalResult())
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodePersonalAccount {
		t.Fatalf("got %v, want a personal_account error", err)
	}
	if !strings.Contains(err.Error(), "personal Microsoft accounts are not supported") {
		t.Errorf("message %q", err.Error())
	}
	if ids, _ := a.Accounts(ctx); len(ids) != 0 {
		t.Errorf("the refused account stayed in the cache: %v", ids)
	}
	if strings.Contains(string(store.data), personalHome) {
		t.Error("the refused account's tokens stayed in the store")
	}

	// And from the id token's tid when present.
	r := personalResult()
	r.Account.HomeAccountID = "00000000-0000-0000-aaaa-bbbbccccdddd.11111111-0000-0000-0000-000000000000"
	r.IDToken.TenantID = PersonalTenantID
	if _, err := a.accept(ctx, r); !errors.As(err, &ae) || ae.Code != CodePersonalAccount {
		t.Errorf("tid from the id token: got %v", err)
	}
}

func TestPersonalAccountAllowed(t *testing.T) {
	a, err := New(Config{ClientID: testClientID, Store: &memStore{data: []byte(personalCache)}, AllowPersonalAccounts: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.accept(context.Background(), personalResult())
	if err != nil {
		t.Fatal(err)
	}
	if res.TenantID != PersonalTenantID || res.UPN != "someone@outlook.com" || len(res.Scopes) != 3 {
		t.Errorf("got %+v", res)
	}
	if ids, _ := a.Accounts(context.Background()); len(ids) != 1 {
		t.Errorf("Accounts = %v", ids)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("no client id accepted")
	}
	if _, err := New(Config{ClientID: testClientID, Authority: "http://login.example.com/organizations"}); err == nil {
		t.Error("http authority accepted")
	}
	if _, err := New(Config{ClientID: testClientID}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
