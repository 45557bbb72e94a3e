package main

import (
	"context"
	"net"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/examples/internal/smoketest"
)

// TestSmoke runs the example's -smoke mode: it fails unless every call gets
// its expected status code.
func TestSmoke(t *testing.T) {
	t.Parallel()
	smoketest.Embedded(t, run, 10, "export USER_TOKEN='ey",
		`grpcurl -plaintext -import-path examples/grpc -proto demo.proto -H "authorization: Bearer $ADMIN_TOKEN" 127.0.0.1:`,
		"PermissionDenied  PermissionDenied  ok")
}

// TestSmokeRealPool runs -smoke in real-pool mode, without AWS.
func TestSmokeRealPool(t *testing.T) {
	t.Parallel()
	smoketest.RealPool(t, run, 5)
}

// TestProtoMatchesService: demo.proto (for grpcurl), the hand-written
// ServiceDesc and the reflection descriptors list the same methods, with
// the same streaming.
func TestProtoMatchesService(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("demo.proto")
	if err != nil {
		t.Fatal(err)
	}
	inProto := map[string]bool{} // method → server streaming
	for _, m := range regexp.MustCompile(`rpc (\w+)\(google\.protobuf\.Empty\) returns \((stream )?google\.protobuf\.StringValue\)`).FindAllStringSubmatch(string(src), -1) {
		inProto[m[1]] = m[2] != ""
	}
	inDesc := map[string]bool{}
	sd := serviceDesc()
	for _, m := range sd.Methods {
		inDesc[m.MethodName] = false
	}
	for _, s := range sd.Streams {
		inDesc[s.StreamName] = s.ServerStreams
	}
	if len(inProto) != len(inDesc) || len(inDesc) != len(methods) {
		t.Fatalf("demo.proto %v, ServiceDesc %v", inProto, inDesc)
	}
	for name, stream := range inDesc {
		if s, ok := inProto[name]; !ok || s != stream {
			t.Errorf("method %s: demo.proto has it %v (stream %v), ServiceDesc stream %v", name, ok, s, stream)
		}
	}
	files, err := descriptors()
	if err != nil {
		t.Fatal(err)
	}
	d, err := files.FindDescriptorByName(serviceName)
	if err != nil {
		t.Fatal(err)
	}
	svc, ok := d.(protoreflect.ServiceDescriptor)
	if !ok || svc.Methods().Len() != len(inDesc) {
		t.Fatalf("reflection descriptor %v", d)
	}
	for i := range svc.Methods().Len() {
		m := svc.Methods().Get(i)
		if s, ok := inDesc[string(m.Name())]; !ok || s != m.IsStreamingServer() {
			t.Errorf("reflection method %s: in ServiceDesc %v, stream %v", m.Name(), ok, m.IsStreamingServer())
		}
	}
}

// TestReflection: reflection answers without a token (exempt) and
// describes demo.v1.Demo, so grpcurl works without -proto.
func TestReflection(t *testing.T) {
	t.Parallel()
	env, err := demo.Setup(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	srv, err := newServer(env.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Stop()
	conn, err := grpc.NewClient("passthrough:///"+ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.CloseSend()
	ask := func(req *reflectionpb.ServerReflectionRequest) *reflectionpb.ServerReflectionResponse {
		t.Helper()
		if err := stream.Send(req); err != nil {
			t.Fatal(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var names []string
	for _, s := range ask(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}).GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	if !slices.Contains(names, serviceName) {
		t.Errorf("services %v lack %s", names, serviceName)
	}
	resp := ask(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: serviceName}})
	if len(resp.GetFileDescriptorResponse().GetFileDescriptorProto()) == 0 {
		t.Errorf("no descriptor for %s: %v", serviceName, resp)
	}
}
