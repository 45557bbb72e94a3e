package main

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitoauth/cognitoauth/claims"
)

// The demo.v1.Demo service of demo.proto, written by hand: every method
// takes google.protobuf.Empty and returns google.protobuf.StringValue, so
// no generated code is needed.
const serviceName = "demo.v1.Demo"

// method is one method of the service; stream methods send several replies.
type method struct {
	name   string
	stream bool
	reply  func(ctx context.Context) []string
}

var methods = []method{
	{name: "Public", reply: func(context.Context) []string { return []string{"hello, anonymous"} }},
	{name: "Me", reply: func(ctx context.Context) []string {
		c, _ := claims.FromContext(ctx) // always set: Me is not exempt
		return []string{fmt.Sprintf("hello, %s (groups: %s)", c.Username, strings.Join(c.Groups, ","))}
	}},
	{name: "Admin", reply: func(ctx context.Context) []string {
		c, _ := claims.FromContext(ctx)
		return []string{"welcome, admin " + c.Username}
	}},
	{name: "Watch", stream: true, reply: func(ctx context.Context) []string {
		c, _ := claims.FromContext(ctx) // the stream's context carries the claims
		return []string{"1 for " + c.Username, "2 for " + c.Username, "3 for " + c.Username}
	}},
}

func fullMethod(name string) string { return "/" + serviceName + "/" + name }

// serviceDesc is what protoc-gen-go-grpc would have generated.
func serviceDesc() *grpc.ServiceDesc {
	sd := &grpc.ServiceDesc{ServiceName: serviceName, HandlerType: (*any)(nil), Metadata: "demo.proto"}
	for _, m := range methods {
		if m.stream {
			sd.Streams = append(sd.Streams, grpc.StreamDesc{StreamName: m.name, ServerStreams: true, Handler: streamHandler(m)})
		} else {
			sd.Methods = append(sd.Methods, grpc.MethodDesc{MethodName: m.name, Handler: unaryHandler(m)})
		}
	}
	return sd
}

func unaryHandler(m method) grpc.MethodHandler {
	return func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		handler := func(ctx context.Context, _ any) (any, error) { return wrapperspb.String(m.reply(ctx)[0]), nil }
		if interceptor == nil {
			return handler(ctx, in)
		}
		return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: fullMethod(m.name)}, handler)
	}
}

func streamHandler(m method) grpc.StreamHandler {
	return func(_ any, ss grpc.ServerStream) error {
		if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
			return err
		}
		for _, s := range m.reply(ss.Context()) {
			if err := ss.SendMsg(wrapperspb.String(s)); err != nil {
				return err
			}
		}
		return nil
	}
}

// descriptors returns demo.proto's descriptor and its imports, built from
// methods, for the reflection service (so grpcurl works without -proto).
// They are kept in a registry of their own: nothing global is modified.
func descriptors() (*protoregistry.Files, error) {
	svc := &descriptorpb.ServiceDescriptorProto{Name: proto.String("Demo")}
	for _, m := range methods {
		svc.Method = append(svc.Method, &descriptorpb.MethodDescriptorProto{
			Name:            proto.String(m.name),
			InputType:       proto.String(".google.protobuf.Empty"),
			OutputType:      proto.String(".google.protobuf.StringValue"),
			ServerStreaming: proto.Bool(m.stream),
		})
	}
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:       proto.String("demo.proto"),
		Package:    proto.String("demo.v1"),
		Syntax:     proto.String("proto3"),
		Dependency: []string{"google/protobuf/empty.proto", "google/protobuf/wrappers.proto"},
		Service:    []*descriptorpb.ServiceDescriptorProto{svc},
	}, protoregistry.GlobalFiles)
	if err != nil {
		return nil, err
	}
	files := new(protoregistry.Files)
	for _, f := range []protoreflect.FileDescriptor{emptypb.File_google_protobuf_empty_proto, wrapperspb.File_google_protobuf_wrappers_proto, fd} {
		if err := files.RegisterFile(f); err != nil {
			return nil, err
		}
	}
	return files, nil
}
