package revocation_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cognitoauth/cognitoauth/revocation"
)

// meter is an OpenTelemetry SDK meter provider read by hand.
type meter struct {
	provider *sdkmetric.MeterProvider
	reader   *sdkmetric.ManualReader
}

func newMeter(t testing.TB) *meter {
	r := sdkmetric.NewManualReader()
	p := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	t.Cleanup(func() { p.Shutdown(context.Background()) })
	return &meter{provider: p, reader: r}
}

// gauges returns every gauge collected, by name, failing the test if a
// data point carries an attribute.
func (m *meter) gauges(t testing.TB) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := m.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			out[mt.Name] = mt
			switch d := mt.Data.(type) {
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					if p.Attributes.Len() != 0 {
						t.Errorf("%s carries attributes %v", mt.Name, p.Attributes.ToSlice())
					}
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					if p.Attributes.Len() != 0 {
						t.Errorf("%s carries attributes %v", mt.Name, p.Attributes.ToSlice())
					}
				}
			}
		}
	}
	return out
}

func (m *meter) entries(t testing.TB) int64 {
	t.Helper()
	g, ok := m.gauges(t)["cognitoauth.revocation.entries"].Data.(metricdata.Gauge[int64])
	if !ok || len(g.DataPoints) != 1 {
		t.Fatalf("cognitoauth.revocation.entries: %+v", g)
	}
	return g.DataPoints[0].Value
}

func (m *meter) staleness(t testing.TB) float64 {
	t.Helper()
	g, ok := m.gauges(t)["cognitoauth.revocation.staleness"].Data.(metricdata.Gauge[float64])
	if !ok || len(g.DataPoints) != 1 {
		t.Fatalf("cognitoauth.revocation.staleness: %+v", g)
	}
	return g.DataPoints[0].Value
}

// TestMetrics: the two gauges, their units, values that follow the list and
// Redis, no attributes, and no reports after Close.
func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	m := newMeter(t)
	l := newList(t, revocation.Options{Redis: srv.client(t), MeterProvider: m.provider, MaxStaleness: time.Minute})
	ctx := context.Background()
	must(t, l.SignOut(ctx, issA, "secret-subject"))
	must(t, l.RevokeToken(ctx, tok(issA, "u", "secret-jti", "o", time.Now())))

	got := m.gauges(t)
	for name, unit := range map[string]string{"cognitoauth.revocation.entries": "{entry}", "cognitoauth.revocation.staleness": "s"} {
		if got[name].Unit != unit {
			t.Errorf("%s unit %q, want %q", name, got[name].Unit, unit)
		}
	}
	if n := m.entries(t); n != 2 {
		t.Errorf("entries %d, want 2", n)
	}
	if s := m.staleness(t); s < 0 || s > 2 {
		t.Errorf("staleness %vs with Redis up, want below the block interval", s)
	}
	srv.stop()
	time.Sleep(1500 * time.Millisecond)
	if s := m.staleness(t); s < 1 {
		t.Errorf("staleness %vs with Redis down for 1.5s, want at least 1", s)
	}
	must(t, l.Close())
	if _, ok := m.gauges(t)["cognitoauth.revocation.entries"]; ok {
		t.Error("gauges still reported after Close")
	}
}

// TestTraces: each write is a span named for its call, carrying its kind
// and nothing the client chose; Check makes none.
func TestTraces(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	l := newList(t, revocation.Options{TracerProvider: tp})
	ctx := context.Background()
	c := tok(issA, "secret-subject", "secret-jti", "secret-origin", time.Now())
	must(t, l.RevokeSession(ctx, c))
	must(t, l.SignOut(ctx, issA, "secret-subject"))
	if err := l.DisableUser(ctx, issA, ""); err == nil {
		t.Fatal("DisableUser without a subject succeeded")
	}
	l.Check(ctx, c)

	var got []string
	for _, s := range rec.Ended() {
		got = append(got, s.Name()+":"+s.Status().Code.String())
		for _, a := range s.Attributes() {
			if v := a.Value.Emit(); strings.Contains(v, "secret") || strings.Contains(v, "cognito-idp") {
				t.Errorf("span %s carries %s=%s", s.Name(), a.Key, v)
			}
		}
	}
	want := []string{"revocation.RevokeSession:Unset", "revocation.SignOut:Unset", "revocation.DisableUser:Error"}
	if !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
}
