<?php
// php build.php DOCROOT SPEC.json: install WordPress into the empty database its wp-config.php
// names, then fill it with the blog SPEC describes — through WordPress's own API
// (wp_install, wp_insert_user, wp_insert_post, wp_insert_comment), so every page is rendered
// exactly as a stock install renders it. Prints the ids and links it made, as JSON.
require __DIR__ . '/boot.php';
$spec = json_decode(file_get_contents($argv[2]), true, 64, JSON_THROW_ON_ERROR);

// wp_install() probes pretty permalinks with HTTP requests to the (not yet served) site:
// an already-set structure makes it skip the probe.
$structure = $spec['permalink_structure'];
$preset = function () use ($structure) {
    return $structure;
};
add_filter('pre_option_permalink_structure', $preset);
wp_install($spec['title'], 'admin', 'admin@blog.test', 1, '', 'not-a-secret-admin-password');
remove_filter('pre_option_permalink_structure', $preset);

// The install's sample post ("Hello world!" with its comment) and page are not ours.
foreach (get_posts(array('post_type' => array('post', 'page'), 'post_status' => 'any', 'numberposts' => -1)) as $sample) {
    wp_delete_post($sample->ID, true);
}
set_options($spec['options']);
global $wp_rewrite;
$wp_rewrite->set_permalink_structure($structure);
$wp_rewrite->flush_rules(false);

$users = array();
foreach ($spec['users'] as $user) {
    $users[$user['login']] = wp_insert_user(array(
        'user_login' => $user['login'],
        'user_pass' => wp_generate_password(16),
        'user_email' => $user['login'] . '@blog.test',
        'display_name' => $user['display_name'],
        'nickname' => $user['display_name'],
        'role' => 'author',
    ));
}
$categories = array();
foreach ($spec['categories'] as $name) {
    $categories[$name] = wp_insert_term($name, 'category')['term_id'];
}

$made = array('posts' => array(), 'comments' => array());
foreach ($spec['posts'] as $post) {
    $id = wp_insert_post(array(
        'post_title' => $post['title'],
        'post_name' => $post['slug'],
        'post_content' => $post['content'],
        'post_status' => 'publish',
        'post_author' => $users[$post['author']],
        'post_date' => $post['date'],
        'post_date_gmt' => get_gmt_from_date($post['date']),
        'post_category' => array($categories[$post['category']]),
        'comment_status' => 'open',
    ), true);
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    $made['posts'][$post['key']] = array('id' => $id, 'url' => get_permalink($id));
}
$comment_ids = array();
foreach ($spec['comments'] as $comment) {
    $id = wp_insert_comment(array(
        'comment_post_ID' => $made['posts'][$comment['post']]['id'],
        'comment_parent' => $comment['parent'] === null ? 0 : $comment_ids[$comment['parent']],
        'comment_author' => $comment['author'],
        'comment_author_email' => $comment['email'],
        'comment_author_url' => $comment['author_url'],
        'comment_content' => $comment['content'],
        'comment_date' => $comment['date'],
        'comment_date_gmt' => get_gmt_from_date($comment['date']),
        'comment_approved' => 1,
        'comment_type' => 'comment',
    ));
    if (!$id) {
        fwrite(STDERR, "wp_insert_comment failed for {$comment['key']}\n");
        exit(1);
    }
    $comment_ids[$comment['key']] = $id;
}
foreach ($comment_ids as $key => $id) {
    $made['comments'][$key] = array('id' => $id, 'url' => get_comment_link($id));
}
echo json_encode($made, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
