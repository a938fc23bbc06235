package kube

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A refresh reads the same namespaces once per policy placing segments
// there: its own objects, the shared ones it holds, the NetworkPolicies it
// does not own. With the read cache on (CacheReads, which the provider turns
// on for its one client per provider instance), each (kind, namespace) is
// listed once, unfiltered, and every reader selects from that list. Any
// request that is not a read empties the cache before it is sent and after
// it returns, and a LIST overlapping such a request is not kept.
type listCache struct {
	mu       sync.Mutex
	gen      uint64
	inFlight int
	lists    map[listKey][]unstructured.Unstructured
	listing  map[listKey]chan struct{} // LISTs on their way, by what they list
}

type listKey struct {
	gvr schema.GroupVersionResource
	ns  string
}

type readState struct {
	mu    sync.Mutex
	cache *listCache
}

// CacheReads turns the read cache on. Only for a client whose writes all go
// through itself: another writer's changes are not seen until its own next
// write.
func (c *Client) CacheReads() {
	c.reads.mu.Lock()
	defer c.reads.mu.Unlock()
	c.reads.cache = &listCache{gen: 1}
}

func (c *Client) readCache() *listCache {
	c.reads.mu.Lock()
	defer c.reads.mu.Unlock()
	return c.reads.cache
}

// observeWrites wraps the client's transport so every request that is not
// a GET empties the read cache, before it is sent and after it returns.
func (c *Client) observeWrites(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.Method == http.MethodGet {
			return rt.RoundTrip(req)
		}
		lc := c.readCache()
		lc.write(+1)
		defer lc.write(-1)
		return rt.RoundTrip(req)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (lc *listCache) write(delta int) {
	if lc == nil {
		return
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.inFlight += delta
	lc.gen++
	lc.lists = nil
}

// namespaceList lists every object of a kind in a namespace, from the cache
// when it holds the list. A kind that is not served lists as empty.
func (c *Client) namespaceList(ctx context.Context, gvr schema.GroupVersionResource, ns string) ([]*unstructured.Unstructured, error) {
	lc := c.readCache()
	key := listKey{gvr, ns}
	var gen uint64
	var done chan struct{} // closed when this reader's LIST is over, for readers waiting on it
	if lc != nil {
		for {
			lc.mu.Lock()
			items, ok := lc.lists[key]
			wait, listing := lc.listing[key]
			if ok || !listing {
				if lc.inFlight == 0 {
					gen = lc.gen
				}
				if !ok {
					// Readers of the same list at the same moment (the
					// policies of a namespace refreshed in parallel) wait
					// for this one LIST instead of sending their own.
					done = make(chan struct{})
					if lc.listing == nil {
						lc.listing = map[listKey]chan struct{}{}
					}
					lc.listing[key] = done
				}
				lc.mu.Unlock()
				if ok {
					return deepCopies(items), nil
				}
				break
			}
			lc.mu.Unlock()
			select {
			case <-wait: // then read what it kept, or list if it kept nothing
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		defer func() {
			lc.mu.Lock()
			delete(lc.listing, key)
			lc.mu.Unlock()
			close(done)
		}()
	}
	list, err := c.dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		if notServed(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing %s in %s: %w", gvr.Resource, ns, err)
	}
	if lc != nil && gen != 0 {
		lc.mu.Lock()
		if lc.gen == gen && lc.inFlight == 0 {
			if lc.lists == nil {
				lc.lists = map[listKey][]unstructured.Unstructured{}
			}
			lc.lists[key] = list.Items
		}
		lc.mu.Unlock()
	}
	return deepCopies(list.Items), nil
}

func deepCopies(items []unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(items))
	for i := range items {
		out[i] = items[i].DeepCopy()
	}
	return out
}
