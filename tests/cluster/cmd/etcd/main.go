// etcd from the go.etcd.io/etcd/server/v3 release that k8s.io/kubernetes itself requires, so the
// apiserver's storage client and the server come from one tested pair.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
